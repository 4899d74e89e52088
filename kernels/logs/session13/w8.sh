#!/bin/bash
# Session 13, library as at session 12 (3d9a0ea; PDL not adopted): the W8A16 table again (not rerun since session 12 padded the
# reordered input's rows to a multiple of 16, which 17-128 rows of 8-bit codes also get), and 2 rows of 8-bit codes through the
# pair kernel's 16-row tiling instead of the GEMV (session 12 moved 4-bit codes there).
export PYTHONPATH=.
python kernels/bench_wa16.py --bits 8 --table-M 1 2 4 8 16 24 32 40 48 56 64 96 128 256 1024 4096 > $OUT/table8.txt 2>&1
python kernels/bench_wa16.py --bits 8 --M 2 --vary 'BM=16,gemv=0,mma=1,tma=1,num_stages=3,prefetch=0,unroll=1,split=auto' \
  'BM=16,BN=128,gemv=0,mma=1,tma=1,num_stages=3,prefetch=0,unroll=1,split=auto' \
  --shapes 4096x4096 4096x14336 14336x4096 8192x8192 8192x28672 28672x8192 4096x1024 1024x4096 > $OUT/vary8_m2.txt 2>&1
