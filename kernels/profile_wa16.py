"""One W4A16 product (default: batch 1, K=8192, N=28672) launched a few times, for Nsight Compute:

    ncu --kernel-name regex:_wa16 --launch-skip 3 --launch-count 1 --section SpeedOfLight --section MemoryWorkloadAnalysis \
        --section WarpStateStats --section LaunchStats --section Occupancy python3 kernels/profile_wa16.py [--M 16 --K 28672 --N 8192]

`--cfg 'BN=64,split=8'` profiles a variant of the chosen tiling (the syntax of `bench_wa16.py --vary`).
On the device machine give ncu `--clock-control none` (the benchmark tables run at the GPU's own clocks).
"""
import argparse, sys
import torch
sys.path.insert(0, "."); sys.path.insert(0, "kernels")
from compressnb.kernels.wa16 import pack_wa16, wa16_matmul, wa16_config
ap = argparse.ArgumentParser()
ap.add_argument("--M", type=int, default=1); ap.add_argument("--K", type=int, default=8192); ap.add_argument("--N", type=int, default=28672)
ap.add_argument("--cfg", default=None, help="a variant of the chosen tiling, e.g. 'BN=64,split=*2'")
a = ap.parse_args()
w = pack_wa16(torch.randint(0, 16, (a.N, a.K), dtype=torch.uint8, device="cuda"), torch.rand(a.N, a.K // 128, device="cuda").half(), None, 4, 128)
x = torch.randn(a.M, a.K, device="cuda", dtype=torch.bfloat16)
cfg = wa16_config(a.M, a.N, a.K, 128, torch.cuda.get_device_properties(0).multi_processor_count, w=w, x=x)   # measured on first use
if a.cfg:
    from bench_wa16 import vary
    cfg = vary(cfg, a.cfg, a.M, a.N, a.K, torch.cuda.get_device_properties(0).multi_processor_count)
print(cfg)
for _ in range(5): wa16_matmul(x, w, cfg=cfg)
torch.cuda.synchronize()
