#!/bin/bash
# Session 12: 33-64 rows of 4096x4096 through the pair kernel with 16- and 32-row tiles (more, smaller programs; the
# weight words of a tile read by its row tiles together), and 128-256 rows of three layers through the pair kernel
# instead of unpacking the weight for cuBLAS. Each against the heuristic and bf16 in the same run.
export PYTHONPATH=.
B="gemv=0,mma=1,prefetch=0,unroll=1,loop=0,dequant=0,num_stages=3,num_warps=4,balanced=0"
T="tma=1,xnat=1,xperm=0"
timeout 280 python kernels/bench_wa16.py --vary "$B,BM=16,BN=64,$T,split=auto" "$B,BM=16,BN=128,$T,split=auto" \
  "$B,BM=16,BN=64,$T,split=1" "$B,BM=16,BN=64,$T,split=4" "$B,BM=16,BN=128,$T,split=8" \
  "$B,BM=16,BN=64,tma=0,xnat=0,xperm=1,split=auto" "$B,BM=32,BN=64,$T,split=auto" "$B,BM=32,BN=128,$T,split=auto" \
  "$B,BM=16,BN=64,$T,split=auto,num_stages=4" --M 32 48 64 --shapes 4096x4096 > $OUT/vary64.txt 2>&1
B8="$B,num_warps=8"
timeout 280 python kernels/bench_wa16.py --vary "$B8,BM=64,BN=128,tma=1,xnat=0,xperm=0,split=auto" \
  "$B8,BM=128,BN=128,tma=1,xnat=0,xperm=0,split=auto" "$B,BM=128,BN=64,tma=1,xnat=0,xperm=0,split=auto" \
  "$B8,BM=64,BN=128,tma=0,xnat=0,xperm=1,split=auto" "$B8,BM=128,BN=128,tma=0,xnat=0,xperm=1,split=auto" \
  "$B8,BM=64,BN=256,tma=1,xnat=0,xperm=0,split=auto" "$B,BM=16,BN=128,$T,split=auto" \
  --M 128 256 --shapes 4096x4096 4096x14336 8192x28672 > $OUT/vary256.txt 2>&1
