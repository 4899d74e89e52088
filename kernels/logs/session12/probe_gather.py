"""Session 12: the reorder of a 40-row input into 48 rows (the pair kernel's padded operand order), four ways, each a
CUDA graph of 32 calls: [:, idx] on 48 rows (the bound), index_select into the first rows of a 48-row buffer, a 2-D
index (rows clamped, columns), a flat 1-D index. `python kernels/logs/session12/probe_gather.py`"""
import sys, torch
sys.path.insert(0, "kernels")
from bench_wa16 import graph_time
from compressnb.kernels.wa16 import _operand_order
for K in (4096, 8192, 14336):
    x, x48 = torch.randn(40, K, device="cuda", dtype=torch.bfloat16), torch.randn(48, K, device="cuda", dtype=torch.bfloat16)
    idx = torch.randperm(K, device="cuda")
    ridx = torch.arange(48, device="cuda").clamp(max=39)[:, None]
    flat = ridx * K + idx
    buf = torch.empty(48, K, device="cuda", dtype=torch.bfloat16)
    ways = {"[:, idx] at 48 rows": lambda i: x48[:, idx], "index_select into a 48-row buffer": lambda i: torch.index_select(x, 1, idx, out=buf[:40]),
            "2-D index": lambda i: x[ridx, idx], "flat index": lambda i: x.reshape(-1)[flat], "library": lambda i: _operand_order(x, 128, 4, 48)}
    print(f"K={K}: " + " | ".join(f"{k} {graph_time(f, 1) * 1e6:.2f} us" for k, f in ways.items()), flush=True)
