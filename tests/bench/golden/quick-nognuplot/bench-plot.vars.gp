datafile = '@W@/quick-nognuplot/bench-plot.dat'
outfile = '@W@/quick-nognuplot/bench.png'
njobs = 3
title1 = 'NVMe shadow doorbells: fio 4 KiB, Debian stock nvme.ko (twice: A/A) vs ours vs ours with use_dbbuf=0'
title2 = 'TCG, 2 host cores, 2 guest vCPUs, 2026-11-30 06:51 UTC, `BENCH=quick make bench`'
title3 = ''
stocklabel = 'stock'
stock2label = 'stock2 (A/A)'
ourslabel = 'ours'
offlabel = 'off (use_dbbuf=0)'
iopsnote = 'bars: median over 1 untraced boot(s); whiskers: min and max'
iopsmax = 14577.672516
mmiomax = 1.971584
mmionote = 'SQ (dark) and CQ (light) doorbells on the I/O queues, counted by QEMU: median over 2 traced boot(s); whiskers: min and max of SQ+CQ'
