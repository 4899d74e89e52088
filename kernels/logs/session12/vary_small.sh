#!/bin/bash
# Session 12: 17-48 rows of small layers (N K < 2^25) through the pair kernel with 16-row tiles, bulk copies and the input
# reordered in registers (the 2-16-row rule), 128 or 64 outputs, against the heuristic (the first tensor-core kernel,
# 64-row tiles) and bf16, same run.
export PYTHONPATH=.
B="gemv=0,mma=1,prefetch=0,unroll=1,loop=0,dequant=0,num_stages=3,num_warps=4,balanced=0,BM=16,tma=1,xnat=1,xperm=0"
python kernels/bench_wa16.py --vary "$B,BN=128,split=auto" "$B,BN=64,split=auto" \
  --M 17 24 32 40 48 --shapes 4096x4096 4096x1024 1024x4096 4096x2048 2048x4096 4096x6144 > $OUT/vary_small.txt 2>&1
