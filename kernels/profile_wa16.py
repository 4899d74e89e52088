"""One W4A16 product (default: batch 1, K=8192, N=28672) launched a few times, for Nsight Compute:

    ncu --kernel-name regex:_wa16 --launch-skip 3 --launch-count 1 --section SpeedOfLight --section MemoryWorkloadAnalysis \
        --section WarpStateStats --section LaunchStats --section Occupancy python3 kernels/profile_wa16.py [--M 16 --K 28672 --N 8192]
"""
import argparse, sys
import torch
sys.path.insert(0, ".")
from compressnb.kernels.wa16 import pack_wa16, wa16_matmul, wa16_config
ap = argparse.ArgumentParser()
ap.add_argument("--M", type=int, default=1); ap.add_argument("--K", type=int, default=8192); ap.add_argument("--N", type=int, default=28672)
a = ap.parse_args()
w = pack_wa16(torch.randint(0, 16, (a.N, a.K), dtype=torch.uint8, device="cuda"), torch.rand(a.N, a.K // 128, device="cuda").half(), None, 4, 128)
x = torch.randn(a.M, a.K, device="cuda", dtype=torch.bfloat16)
print(wa16_config(a.M, a.N, a.K, 128))
for _ in range(5): wa16_matmul(x, w)
torch.cuda.synchronize()
