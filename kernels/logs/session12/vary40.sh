#!/bin/bash
# Session 12: the middle layers ran 40 rows slower than 48 (table4.txt). Rows that are not a multiple of 16 at 33-64,
# the heuristic (64x64 tiles, input reordered beforehand) against 32-row tiles, 128-output 8-warp tiles and 16-row tiles.
export PYTHONPATH=.
B="gemv=0,mma=1,prefetch=0,unroll=1,loop=0,dequant=0,num_stages=3,num_warps=4,balanced=0"
python kernels/bench_wa16.py --vary "$B,BM=32,BN=64,xperm=1,tma=0,xnat=0,split=auto" "$B,BM=64,BN=128,num_warps=8,xperm=1,tma=0,xnat=0,split=auto" \
  "$B,BM=16,BN=128,xperm=0,tma=1,xnat=1,split=auto" --M 36 40 44 48 56 --shapes 4096x14336 14336x4096 8192x8192 > $OUT/vary40.txt 2>&1
