#!/bin/bash
# Session 11: Nsight Compute on the shapes that miss their targets (H100, GPU clocks left alone).
export PYTHONPATH=.
S="--section SpeedOfLight --section MemoryWorkloadAnalysis --section MemoryWorkloadAnalysis_Tables --section WarpStateStats --section SchedulerStats --section Occupancy --section LaunchStats --section InstructionStats --section ComputeWorkloadAnalysis"
run() { name=$1; shift; echo "### $name: $*"; ncu --clock-control none --kernel-name regex:"_wa16|_split_sum" --launch-skip 4 --launch-count 2 $S python3 kernels/profile_wa16.py "$@" 2>&1 | grep -v "^==PROF==" ; }
{
run gemv_4096x14336_m1 --M 1 --K 4096 --N 14336
run first_4096x4096_m64 --M 64 --K 4096 --N 4096
run pair_4096x4096_m64 --M 64 --K 4096 --N 4096 --cfg "mma=1,BN=64,xperm=1,split=8"
run pair_4096x4096_m16 --M 16 --K 4096 --N 4096
run gemv_4096x4096_m1 --M 1 --K 4096 --N 4096
run pair_8192x28672_m1 --M 1 --K 8192 --N 28672
} > $OUT/ncu.txt
