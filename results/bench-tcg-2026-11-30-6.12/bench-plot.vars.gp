datafile = '/work/main/build/bench/6.12/bench-plot.dat'
outfile = '/work/main/build/bench/6.12/bench.png'
njobs = 13
title1 = 'NVMe shadow doorbells: fio 4 KiB, Debian stock nvme.ko (twice: A/A) vs ours vs ours with dbbuf=off'
title2 = 'TCG, 2 host cores, 2 guest vCPUs, 2026-11-30 10:19 UTC, `make bench`'
title3 = ''
stocklabel = 'stock'
stock2label = 'stock2 (A/A)'
ourslabel = 'ours'
offlabel = 'off (dbbuf=off)'
iopsnote = 'bars: median over 5 untraced boot(s); whiskers: min and max'
iopsmax = 46669.833017
mmiomax = 2.000000
mmionote = 'SQ (dark) and CQ (light) doorbells on the I/O queues, counted by QEMU: median over 3 traced boot(s); whiskers: min and max of SQ+CQ'
