# SPDX-License-Identifier: GPL-2.0
# The chart of `make bench`: per job, IOPS (median, min-max whiskers) and
# MMIO doorbells per I/O (SQ dark, CQ light) of the four drivers: stock,
# stock2 (stock again: the A/A comparison), ours and off.
# scripts/bench-report.py runs it after a file that sets datafile, outfile,
# njobs, title1, title2, title3 ('' or the INVALID note), stocklabel,
# stock2label, ourslabel, offlabel,
# iopsnote, mmionote, iopsmax and mmiomax (the highest bars).
# Data columns: 1 index, 2 job, 3-5 stock IOPS median/min/max, 6-8 stock2,
# 9-11 ours, 12-14 off, 15-16 stock SQ and total MMIO per I/O, 17-18
# stock2, 19-20 ours, 21-22 off, 23-24 stock total MMIO per I/O min and
# max, 25-26 stock2, 27-28 ours, 29-30 off.

set terminal pngcairo size 1500,1050 font 'DejaVu Sans,11' noenhanced
set output outfile
set datafile separator '\t'
set datafile missing '?'

c_stock = '#4c72b0'; l_stock = '#b3c4e0'
c_stock2 = '#8172b3'; l_stock2 = '#cdc6e4'
c_ours = '#dd8452'; l_ours = '#f2c6a8'
c_off = '#55a868'; l_off = '#b5dcbf'
w = 0.2
set boxwidth w absolute
set style fill solid 1.0 border rgb '#333333'
set grid ytics lc rgb '#dddddd'
set xrange [-0.6:njobs - 0.4]
set xtics rotate by 25 right nomirror
set ytics nomirror
set key top left horizontal opaque box

set multiplot title title1 . "\n" . title2 . (title3 eq '' ? '' : "\n") font ',12'
if (title3 ne '') {
	set label 2 title3 at screen 0.5, screen 0.943 center font ',12' tc rgb '#cc0000'
}

set lmargin 12
set tmargin 6
set bmargin 7
set size 1, 0.52
set origin 0, 0.47
set ylabel 'IOPS'
set yrange [0:(iopsmax > 0 ? iopsmax * 1.18 : 1)]
set format y '%.0s%c'
set label 1 iopsnote at graph 1, graph 1.04 right font ',10'
plot datafile using ($1 - 1.5*w):3:xtic(2) with boxes lc rgb c_stock title stocklabel, \
	'' using ($1 - 1.5*w):3:4:5 with yerrorbars lc rgb '#222222' pt 7 ps 0 notitle, \
	'' using ($1 - 0.5*w):6 with boxes lc rgb c_stock2 title stock2label, \
	'' using ($1 - 0.5*w):6:7:8 with yerrorbars lc rgb '#222222' pt 7 ps 0 notitle, \
	'' using ($1 + 0.5*w):9 with boxes lc rgb c_ours title ourslabel, \
	'' using ($1 + 0.5*w):9:10:11 with yerrorbars lc rgb '#222222' pt 7 ps 0 notitle, \
	'' using ($1 + 1.5*w):12 with boxes lc rgb c_off title offlabel, \
	'' using ($1 + 1.5*w):12:13:14 with yerrorbars lc rgb '#222222' pt 7 ps 0 notitle
unset label 1
unset label 2

set tmargin 2
set size 1, 0.47
set origin 0, 0
set ylabel 'MMIO doorbells per I/O'
set yrange [0:(mmiomax > 0 ? mmiomax * 1.2 : 1)]
set format y '%.1f'
set label 1 mmionote at graph 1, graph 1.04 right font ',10'
plot datafile using ($1 - 1.5*w):16:xtic(2) with boxes lc rgb l_stock title 'stock CQ', \
	'' using ($1 - 1.5*w):15 with boxes lc rgb c_stock title 'stock SQ', \
	'' using ($1 - 0.5*w):18 with boxes lc rgb l_stock2 title 'stock2 CQ', \
	'' using ($1 - 0.5*w):17 with boxes lc rgb c_stock2 title 'stock2 SQ', \
	'' using ($1 + 0.5*w):20 with boxes lc rgb l_ours title 'ours CQ', \
	'' using ($1 + 0.5*w):19 with boxes lc rgb c_ours title 'ours SQ', \
	'' using ($1 + 1.5*w):22 with boxes lc rgb l_off title 'off CQ', \
	'' using ($1 + 1.5*w):21 with boxes lc rgb c_off title 'off SQ', \
	'' using ($1 - 1.5*w):16:23:24 with yerrorbars lc rgb '#222222' pt 7 ps 0 notitle, \
	'' using ($1 - 0.5*w):18:25:26 with yerrorbars lc rgb '#222222' pt 7 ps 0 notitle, \
	'' using ($1 + 0.5*w):20:27:28 with yerrorbars lc rgb '#222222' pt 7 ps 0 notitle, \
	'' using ($1 + 1.5*w):22:29:30 with yerrorbars lc rgb '#222222' pt 7 ps 0 notitle
unset multiplot
