"""8-bit weights at 17-300 rows on a ragged shape, against the reference (GPU): the rule added in session 7, every zero kind, both dtypes.

    python kernels/check_w8_rows.py
"""
import sys; sys.path.insert(0, ".")
import torch
from compressnb.kernels.wa16 import wa16_matmul, wa16_reference, wa16_config
sys.path.insert(0, "kernels")
from bench_wa16 import random_weight

torch.manual_seed(0)
n = 0
for K, N in [(4160, 1000), (1024 + 128, 3000)]:
    for zeros in (None, "int"):
        w = random_weight(K, N, 8, 64 if K % 128 else 128, n_major=zeros is not None, zeros=zeros)
        for M in (17, 40, 100, 128):
            for dtype in (torch.bfloat16, torch.float16):
                x = torch.randn(M, K, device="cuda", dtype=dtype)
                out = torch.full((M, N), float("nan"), device="cuda", dtype=dtype)
                y = wa16_matmul(x, w, out=out); ref = wa16_reference(x.double(), w)
                err = ((y.double() - ref).norm() / ref.norm()).item()
                assert not torch.isnan(y).any() and err < 1e-2, (K, N, M, zeros, dtype, err)
                n += 1
print(f"W8A16 17-128 rows: {n} checks pass ({wa16_config(40, 1000, 4160, 64, bits=8)})")
