datafile = '@W@/invalid-plotfail/bench-plot.dat'
outfile = '@W@/invalid-plotfail/bench.png'
njobs = 4
title1 = 'NVMe shadow doorbells: fio 4 KiB, Debian stock nvme.ko (twice: A/A) vs ours vs ours with dbbuf=off'
title2 = 'TCG, 2 host cores, 2 guest vCPUs, 2026-11-30 06:51 UTC, `make bench`'
title3 = 'INVALID: stock: shadow doorbells off: QEMU never got Doorbell Buffer Config (1 of 4 boots); ours: ran nvme.ko srcversion ... (see bench.md)'
stocklabel = 'stock INVALID'
stock2label = 'stock2 (A/A)'
ourslabel = 'ours INVALID'
offlabel = 'off (dbbuf=off) INVALID'
iopsnote = 'bars: median over 2 untraced boot(s); whiskers: min and max'
iopsmax = 15762.704386
mmiomax = 1.982463
mmionote = 'SQ (dark) and CQ (light) doorbells on the I/O queues, counted by QEMU: median over 2 traced boot(s); whiskers: min and max of SQ+CQ'
