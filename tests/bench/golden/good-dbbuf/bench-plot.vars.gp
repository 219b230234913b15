datafile = '@W@/good-dbbuf/bench-plot.dat'
outfile = '@W@/good-dbbuf/bench.png'
njobs = 4
title1 = 'NVMe shadow doorbells: fio 4 KiB, Debian stock nvme.ko (twice: A/A) vs ours vs ours with dbbuf=off'
title2 = 'TCG, 2 host cores, 2 guest vCPUs, 2026-11-30 06:51 UTC, `make bench`'
title3 = ''
stocklabel = 'stock'
stock2label = 'stock2 (A/A)'
ourslabel = 'ours'
offlabel = 'off (dbbuf=off)'
iopsnote = 'bars: median over 2 untraced boot(s); whiskers: min and max'
iopsmax = 14858.620715
mmiomax = 1.985498
mmionote = 'SQ (dark) and CQ (light) doorbells on the I/O queues, counted by QEMU: median over 2 traced boot(s); whiskers: min and max of SQ+CQ'
