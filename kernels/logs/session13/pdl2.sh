#!/bin/bash
# Session 13, second run: the two largest layers at 1-16 rows, PDL with 1-4 slices prefetched early, back to back (twice) and
# after a copy into the input (--prelude).
export PYTHONPATH=.
S="--shapes 8192x28672 28672x8192"
V="pdl=1,early=1 pdl=1,early=2 pdl=1,early=3 pdl=1,early=4"
python kernels/probe_pdl.py > $OUT/probe_pdl2.txt 2>&1; tail -1 $OUT/probe_pdl2.txt
python kernels/bench_wa16.py --vary $V --M 1 2 4 8 16 $S > $OUT/vary_pdl_big.txt 2>&1
python kernels/bench_wa16.py --vary $V --M 1 $S > $OUT/vary_pdl_big_m1_again.txt 2>&1
python kernels/bench_wa16.py --vary $V --M 1 2 16 $S --prelude > $OUT/vary_pdl_big_prelude.txt 2>&1
