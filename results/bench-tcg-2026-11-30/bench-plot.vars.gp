datafile = '/work/main/results/bench-tcg-2026-11-30/bench-plot.dat'
outfile = '/work/main/results/bench-tcg-2026-11-30/bench.png'
njobs = 13
title1 = 'NVMe shadow doorbells: fio 4 KiB, Debian stock nvme.ko (twice: A/A) vs ours vs ours with use_dbbuf=0'
title2 = 'TCG, 2 host cores, 2 guest vCPUs, 2026-11-30 07:13 UTC, `make bench`'
title3 = ''
stocklabel = 'stock'
stock2label = 'stock2 (A/A)'
ourslabel = 'ours'
offlabel = 'off (use_dbbuf=0)'
iopsnote = 'bars: median over 3 untraced boot(s); whiskers: min and max'
iopsmax = 43373.562644
mmiomax = 2.000000
mmionote = 'SQ (dark) and CQ (light) doorbells on the I/O queues, counted by QEMU: median over 3 traced boot(s); whiskers: min and max of SQ+CQ'
