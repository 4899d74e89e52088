#!/bin/bash
# Session 13, first run: programmatic dependent launches (PDL). Correctness of chained products with and without PDL, then
# the heuristic against PDL variants (early = slices of words prefetched into L2 before the wait), back to back and with a
# copy into the input before every call (--prelude).
export PYTHONPATH=.
python kernels/probe_pdl.py > $OUT/probe_pdl.txt 2>&1; tail -3 $OUT/probe_pdl.txt
python kernels/bench_wa16.py --vary pdl=1 pdl=1,early=1 pdl=1,early=2 pdl=1,early=4 pdl=1,early=8 --M 1 > $OUT/vary_pdl_m1.txt 2>&1
tail -4 $OUT/vary_pdl_m1.txt
python kernels/bench_wa16.py --vary pdl=1 pdl=1,early=2 pdl=1,early=4 --M 1 --prelude > $OUT/vary_pdl_m1_prelude.txt 2>&1
python kernels/bench_wa16.py --vary pdl=1 pdl=1,early=2 pdl=1,early=4 --M 2 16 56 64 > $OUT/vary_pdl_rows.txt 2>&1
