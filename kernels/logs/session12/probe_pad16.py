"""Session 12: is 33-64 rows' 64x64 pair-kernel tiling faster when the row count is a multiple of 16? The same product at M
rows (a) as is, (b) with the input padded by zero rows to a multiple of 16 inside the timed call (F.pad, then the rows
sliced off), (c) with the input padded beforehand (the upper bound of (b)). Rerun after the library pads itself (its
"as is" then pads inside: probe_pad16_gather.txt). `python kernels/logs/session12/probe_pad16.py`"""
import sys, torch, torch.nn.functional as F
sys.path.insert(0, "kernels")
from bench_wa16 import graph_time, random_weight, copies
from compressnb.kernels.wa16 import wa16_matmul, wa16_config
torch.manual_seed(0)
for K, N in [(4096, 14336), (14336, 4096), (8192, 8192)]:
    w0 = random_weight(K, N)
    ws = [w0] + [random_weight(K, N) for _ in range(copies(w0.nbytes) - 1)]
    W = [torch.randn(N, K, device="cuda", dtype=torch.bfloat16) for _ in range(copies(N * K * 2))]
    for M in (36, 40, 48, 56):
        M16 = -(-M // 16) * 16
        x = torch.randn(M, K, device="cuda", dtype=torch.bfloat16)
        x16 = F.pad(x, (0, 0, 0, M16 - M))
        t_bf = graph_time(lambda i: F.linear(x, W[i]), len(W))
        ta = graph_time(lambda i: wa16_matmul(x, ws[i]), len(ws))
        tb = graph_time(lambda i: wa16_matmul(F.pad(x, (0, 0, 0, M16 - M)), ws[i])[:M], len(ws))
        tc = graph_time(lambda i: wa16_matmul(x16, ws[i])[:M], len(ws))
        y, y16 = wa16_matmul(x, w0), wa16_matmul(x16, w0)[:M]
        err = ((y.float() - y16.float()).norm() / y.float().norm()).item()
        print(f"K={K} N={N} M={M}: bf16 {t_bf*1e6:.1f} us | as is {ta*1e6:.1f} | padded to {M16} in the call {tb*1e6:.1f} "
              f"| padded beforehand {tc*1e6:.1f} us | rel diff {err:.1e} | {wa16_config(M, N, K, 128)}", flush=True)
    del ws, W; torch.cuda.empty_cache()
