#!/bin/bash
# Session 12, the final code (rows of the reordered input padded to a multiple of 16): GPU check, then the W4A16 table at
# the batch sizes plus 24, 36, 40, 48, 56, 96, 100 and 192 rows.
export PYTHONPATH=.
python kernels/bench_wa16.py --check --jobs 14 > $OUT/check_full2.txt 2>&1; tail -1 $OUT/check_full2.txt
python kernels/bench_wa16.py --table-M 1 2 4 8 16 24 32 36 40 48 56 64 96 100 128 192 256 1024 4096 > $OUT/table4_final.txt 2>&1
