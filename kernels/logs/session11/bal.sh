#!/bin/bash
# Session 11: the balanced grid (P programs, q or q+1 K-parts per tile) at one row, against the heuristic, twice; registers; a check.
export PYTHONPATH=.
for i in 1 2; do
python kernels/bench_wa16.py --vary balanced=528 balanced=396 balanced=264 --M 1 --shapes 8192x28672 28672x8192
done
python kernels/bench_wa16.py --vary "gemv=0,mma=1,prefetch=0,BM=16,BN=128,tma=1,xnat=1,num_stages=3,balanced=528" "gemv=0,mma=1,prefetch=0,BM=16,BN=128,tma=1,xnat=1,num_stages=3,balanced=396" --M 1 --shapes 4096x14336 14336x4096 8192x8192
python - <<'PY'
import torch
from dataclasses import replace
from compressnb.kernels.wa16 import wa16_config, wa16_matmul, wa16_reference, random_wa16
for K, N, P in [(8192, 28672, 528), (28672, 8192, 528), (8192, 28672, 396)]:
    w = random_wa16(N, K, 4, 128, device="cuda", sym=False, bias=True)
    w.bias = w.bias.to(torch.bfloat16)
    x = torch.randn(1, K, device="cuda", dtype=torch.bfloat16)
    cfg = replace(wa16_config(1, N, K, 128), balanced=P)
    ref = wa16_reference(x.double(), w.__class__(**{**w.__dict__, "bias": w.bias.double()}))
    for rep in range(3):
        out = torch.full((1, N), float("nan"), device="cuda", dtype=torch.bfloat16)
        y = wa16_matmul(x, w, out=out, cfg=cfg)
        err = ((y.double() - ref).norm() / ref.norm()).item()
        print(K, N, P, rep, "rel err", f"{err:.1e}", "nan" if torch.isnan(y).any() else "ok")
        assert err < 1e-2
PY
ncu --clock-control none --kernel-name regex:_wa16 --launch-skip 4 --launch-count 1 --section LaunchStats --section SpeedOfLight python3 kernels/profile_wa16.py --M 1 --K 8192 --N 28672 --cfg balanced=528 2>&1 | grep -i "registers\|grid size\|duration"
