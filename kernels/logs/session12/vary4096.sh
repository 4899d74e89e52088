#!/bin/bash
# Session 12: 24-64 rows of 4096x4096 through the pair kernel with the input reordered beforehand (the rule of the large
# layers, and its 128-output, 8-warp tile from 65 rows), against the heuristic and bf16, same run.
export PYTHONPATH=.
B="gemv=0,mma=1,prefetch=0,unroll=1,loop=0,dequant=0,num_stages=3,balanced=0,xnat=0,xperm=1,tma=0"
python kernels/bench_wa16.py --vary "$B,num_warps=8,BM=64,BN=128,split=8" "$B,num_warps=8,BM=64,BN=128,split=4" \
  "$B,num_warps=4,BM=64,BN=64,split=8" "$B,num_warps=4,BM=64,BN=64,split=4" "$B,num_warps=4,BM=64,BN=64,split=2" \
  "$B,num_warps=4,BM=32,BN=128,split=8" "$B,num_warps=4,BM=32,BN=64,split=8" \
  "gemv=0,mma=1,prefetch=0,unroll=1,loop=0,num_stages=3,num_warps=4,BM=16,BN=128,tma=1,xnat=1,xperm=0,split=auto" \
  --M 24 48 64 --shapes 4096x4096 > $OUT/vary4096.txt 2>&1
