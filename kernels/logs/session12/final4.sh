#!/bin/bash
# Session 12, last change (2 rows of a small 4-bit layer through the pair kernel instead of the GEMV): GPU check, the
# table's rows at 1-4 rows, and the small layers at 2 rows, heuristic against bf16.
export PYTHONPATH=.
python kernels/bench_wa16.py --check --jobs 14 > $OUT/check_m2.txt 2>&1; tail -1 $OUT/check_m2.txt
python kernels/bench_wa16.py --table-M 1 2 4 > $OUT/table4_m124.txt 2>&1
python kernels/bench_wa16.py --vary --M 2 --shapes 4096x1024 8192x1024 1024x4096 4096x2048 2048x4096 4096x6144 > $OUT/small_m2.txt 2>&1
