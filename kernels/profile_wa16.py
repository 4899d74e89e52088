"""One W4A16 launch at batch 1 (K=8192, N=28672) for Nsight Compute:

    ncu --kernel-name regex:_wa16 --launch-skip 3 --launch-count 1 --section SpeedOfLight --section MemoryWorkloadAnalysis \
        --section WarpStateStats --section LaunchStats --section Occupancy python3 kernels/profile_wa16.py
"""
import sys
import torch
sys.path.insert(0, ".")
from compressnb.kernels.wa16 import pack_wa16, wa16_matmul, wa16_config
K, N = 8192, 28672
w = pack_wa16(torch.randint(0, 16, (N, K), dtype=torch.uint8, device="cuda"), torch.rand(N, K // 128, device="cuda").half(), None, 4, 128, n_major=True)
x = torch.randn(1, K, device="cuda", dtype=torch.bfloat16)
print(wa16_config(1, N, K, 128))
for _ in range(5): wa16_matmul(x, w)
torch.cuda.synchronize()
