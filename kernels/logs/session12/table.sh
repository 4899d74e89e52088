#!/bin/bash
# Session 12: the GPU check of the new 65-256-row rule (forced tilings at 50 and 300 rows, the heuristic at 300 rows of
# small layers), then the W4A16 table and the new rule's rows again at 48-256 rows.
export PYTHONPATH=.
python kernels/bench_wa16.py --check --jobs 14 > $OUT/check_full.txt 2>&1; tail -2 $OUT/check_full.txt
python kernels/bench_wa16.py > $OUT/table4.txt 2>&1
python kernels/bench_wa16.py --vary "dequant=1" --M 48 96 192 256 --shapes 4096x14336 14336x4096 8192x8192 8192x28672 28672x8192 > $OUT/vary_rows.txt 2>&1
