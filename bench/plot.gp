# bench/plot.gp: throughput and p99 latency of acknowledged keep-alives against the offered
# load (bench/run.sh passes datafile and outfile). Columns: offered/s, acknowledged/s, p99 ms.
set terminal pngcairo size 900,520 font ",10"
set output outfile
set title "Keep-alive: acknowledged throughput and p99 latency against offered load"
set xlabel "offered keep-alives per second"
set ylabel "acknowledged per second"
set y2label "p99 latency (ms)"
set ytics nomirror
set y2tics
set logscale y2
set key top left
set grid
set xrange [0:*]
set yrange [0:*]
plot datafile using 1:2 with linespoints lw 2 pt 7 title "acknowledged/s", \
     datafile using 1:1 with lines dt 2 lc rgb "gray" title "offered = acknowledged", \
     datafile using 1:3 axes x1y2 with linespoints lw 2 pt 5 title "p99 (ms, right)"
