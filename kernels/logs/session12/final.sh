#!/bin/bash
# Session 12, the final code: GPU check, the W4A16 table (the batch sizes plus 24, 40, 48, 96, 192), and the
# heuristic against bf16 on small layers the table does not hold (Llama-3-8B's k/v projections and others).
export PYTHONPATH=.
python kernels/bench_wa16.py --check --jobs 14 > $OUT/check_full.txt 2>&1; tail -1 $OUT/check_full.txt
python kernels/bench_wa16.py --table-M 1 2 4 8 16 24 32 40 48 64 96 128 192 256 1024 4096 > $OUT/table4.txt 2>&1
python kernels/bench_wa16.py --vary --M 1 2 4 8 16 24 32 48 64 128 --shapes 4096x1024 1024x4096 4096x2048 2048x4096 4096x6144 > $OUT/small_shapes.txt 2>&1
