#!/bin/bash
# Session 12: layers smaller than the shapes (Llama-3-8B's k/v projections 4096x1024, -70B's 8192x1024, and
# others) at 1-2 rows, where the GEMV's fixed cost sets the time: fewer, longer programs (no or less K-split), narrower
# tiles, and the pair kernel's 16-row tiling, against the heuristic and bf16, same run.
export PYTHONPATH=.
P="gemv=0,mma=1,prefetch=0,unroll=1,BM=16,tma=1,xnat=1,num_stages=3,num_warps=4,xperm=0,loop=0"
python kernels/bench_wa16.py --vary "BN=16,split=1" "BN=32,split=1" "BN=32,split=2" "BN=32,split=4" "BN=64,split=2" "BN=64,split=4" \
  "BN=64,split=16" "BN=32,split=2,num_warps=2" "BN=16,split=2,num_warps=1" "$P,BN=64,split=auto" "$P,BN=32,split=auto" \
  --M 1 2 --shapes 4096x1024 8192x1024 1024x4096 4096x2048 2048x4096 > $OUT/vary_tiny.txt 2>&1
