#!/bin/bash
# Session 12, second sweep: 64-1024 rows through the pair kernel with the input reordered beforehand (xperm: its tiles feed
# the tensor cores straight from memory) in several tilings, against the heuristic (the 65-128-row pair kernel gathers the
# input in the kernel; from 129 rows the weight is unpacked for cuBLAS) and bf16, same run.
export PYTHONPATH=.
B="gemv=0,mma=1,prefetch=0,unroll=1,loop=0,dequant=0,num_stages=3,num_warps=4,balanced=0,xnat=0,xperm=1"
B8="$B,num_warps=8"
timeout 290 python kernels/bench_wa16.py --vary "$B8,BM=64,BN=128,tma=0,split=auto" "$B8,BM=64,BN=128,tma=1,split=auto" \
  "$B8,BM=64,BN=128,tma=0,split=auto,num_stages=4" "$B8,BM=64,BN=128,tma=0,split=auto,num_stages=2" \
  "$B,BM=64,BN=64,tma=0,split=auto" "$B8,BM=128,BN=64,tma=0,split=auto" "$B,BM=32,BN=128,tma=0,split=auto" \
  "$B8,BM=64,BN=128,tma=0,split=1" "$B8,BM=64,BN=128,tma=0,split=4" \
  --M 64 128 256 --shapes 4096x14336 14336x4096 8192x8192 8192x28672 28672x8192 > $OUT/vary_many.txt 2>&1
timeout 200 python kernels/bench_wa16.py --vary "$B8,BM=64,BN=128,tma=0,split=auto" "$B8,BM=64,BN=128,tma=1,split=auto" \
  "$B8,BM=128,BN=128,tma=0,split=auto" "$B8,BM=64,BN=128,tma=0,split=1" \
  --M 512 1024 --shapes 4096x14336 8192x28672 28672x8192 > $OUT/vary_big_m.txt 2>&1
