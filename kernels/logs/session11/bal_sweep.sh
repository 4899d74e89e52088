#!/bin/bash
# Session 11: balanced grids for the pair kernel (one row tile: 1-16 rows) against the heuristic, every shape.
export PYTHONPATH=.
B="gemv=0,mma=1,prefetch=0,unroll=1,BM=16,tma=1,xnat=1,num_stages=3,num_warps=4,xperm=0,loop=0"
python kernels/bench_wa16.py --vary "$B,BN=128,balanced=264" "$B,BN=128,balanced=396" "$B,BN=128,balanced=528" "$B,BN=64,balanced=396" "$B,BN=64,balanced=528" \
  --M 1 2 4 8 16 --shapes 4096x14336 14336x4096 8192x8192 4096x4096 8192x28672 28672x8192
