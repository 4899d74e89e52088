"""W8A8 (INT8 and FP8 e4m3) kernels against bf16 `F.linear` and PyTorch's own 8-bit products, side by side in one run.

    python kernels/bench_w8a8.py            # the table for kernels/RESULTS.md
    python kernels/bench_w8a8.py --sweep    # candidate tilings at large M
    python kernels/bench_w8a8.py --check    # correctness on the GPU against the reference

"ours" includes quantizing the activations (per token, dynamic) and the product; "ours (matmul)" is the product alone, the
number to set beside `torch._int_mm` / `torch._scaled_mm`, which are given already-quantized operands. Timing as in
bench_wa16.py: CUDA graphs over rotated weight copies, median replay; bf16 and "ours" in alternating rounds, the speed-up
the median of the rounds' ratios (the other columns' ratios are of medians).
"""
import argparse, itertools, sys
import torch, torch.nn.functional as F
import triton
sys.path.insert(0, ".")
sys.path.insert(0, "kernels")
from bench_wa16 import SHAPES, BATCHES, graph_time, paired_time, copies, copy_bandwidth
from compressnb.w8a8 import quantize_rows_reference, w8a8_reference
from compressnb.kernels.w8a8 import W8A8Config, quantize_rows, w8a8_matmul, w8a8_config

def weights(K, N, fmt, n):
    out = []
    for _ in range(n):
        q, s = quantize_rows_reference(torch.randn(N, K, device="cuda"), fmt)
        out.append((q, s))
    return out

def check():
    torch.manual_seed(0)
    worst = 0.0
    for fmt, (M, K, N) in itertools.product(["int8", "fp8"], [(1, 4096, 4096), (37, 1000, 3000), (300, 4104, 520), (4096, 512, 1000)]):
        (wq, ws), = weights(K, N, fmt, 1)
        x = torch.randn(M, K, device="cuda", dtype=torch.bfloat16)
        xq, xs = quantize_rows(x, fmt)
        rq, rs = quantize_rows_reference(x, fmt)
        agree = (xq.float() == rq.float()).float().mean().item()
        assert agree > 0.999, (fmt, M, K, agree)
        out = torch.full((M, N), float("nan"), device="cuda", dtype=torch.bfloat16)
        y = w8a8_matmul(xq, xs, wq, ws, None, torch.bfloat16, out=out)
        ref = w8a8_reference(xq, xs, wq, ws, None, torch.float64)
        assert not torch.isnan(y).any(), ("unwritten output", fmt, M, K, N)
        err = ((y.double() - ref).norm() / ref.norm()).item()
        assert err < 1e-2, (fmt, M, K, N, err)
        worst = max(worst, err)
    print(f"W8A8 on {torch.cuda.get_device_name()}: all checks pass, largest relative error {worst:.1e}")

def torch_path(fmt, xq, xs, wq, ws):
    if fmt == "int8":
        if xq.shape[0] <= 16: return None                              # torch._int_mm needs M > 16
        return lambda: (torch._int_mm(xq, wq.T).float() * xs[:, None] * ws[None, :]).to(torch.bfloat16)
    return lambda: torch._scaled_mm(xq, wq.T, scale_a=xs[:, None].contiguous(), scale_b=ws[None, :].contiguous(), out_dtype=torch.bfloat16)

def sweep(Ms=(1024, 4096)):
    for fmt, (K, N), M in itertools.product(["fp8", "int8"], [(8192, 28672), (4096, 14336)], Ms):
        W = [torch.randn(N, K, device="cuda", dtype=torch.bfloat16) for _ in range(copies(N * K * 2))]
        x = torch.randn(M, K, device="cuda", dtype=torch.bfloat16)
        t_bf16 = graph_time(lambda i: F.linear(x, W[i]), len(W)); del W
        ws = weights(K, N, fmt, copies(N * K))
        xq, xs = quantize_rows(x, fmt)
        res = []
        for BM, BN, BK, GM, warps, stages in [(128, 256, 128, 8, 8, 3), (128, 256, 128, 8, 8, 4), (128, 128, 128, 8, 8, 4),
                                              (256, 128, 128, 8, 8, 3), (128, 256, 64, 8, 8, 4), (128, 128, 128, 8, 4, 4),
                                              (128, 256, 128, 16, 8, 3), (64, 256, 128, 8, 4, 4)]:
            cfg = W8A8Config(BM, BN, BK, GM, warps, stages)
            try: t = graph_time(lambda i: w8a8_matmul(xq, xs, *ws[i], cfg=cfg), len(ws))
            except Exception: continue
            res.append((t, cfg))
        res.sort(key=lambda r: r[0])
        print(f"{fmt} K={K} N={N} M={M}: bf16 {t_bf16*1e6:.0f} us; best {res[0][0]*1e6:.0f} us ({t_bf16/res[0][0]:.2f}x) {res[0][1]}; "
              + "; ".join(f"{t_bf16/t:.2f}x {c.BM}x{c.BN}x{c.BK} g{c.GM} w{c.num_warps} s{c.num_stages}" for t, c in res[1:4]), flush=True)

def table(Ms=BATCHES, shapes=SHAPES):
    print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}, triton {triton.__version__}; weights per-channel, "
          f"activations per-token dynamic, bf16 output")
    print("| format | K | N | M | bf16 F.linear (us) | ours (us) | speed-up | ours (matmul) | torch 8-bit (us) | speed-up over bf16 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for fmt, (K, N) in itertools.product(["int8", "fp8"], shapes):
        W = [torch.randn(N, K, device="cuda", dtype=torch.bfloat16) for _ in range(copies(N * K * 2))]
        ws = weights(K, N, fmt, copies(N * K))
        for M in Ms:
            x = torch.randn(M, K, device="cuda", dtype=torch.bfloat16)
            t_ref, t, r = paired_time(lambda i: F.linear(x, W[i]), len(W), lambda i: w8a8_matmul(*quantize_rows(x, fmt), *ws[i]), len(ws))
            xq, xs = quantize_rows(x, fmt)
            t_mm = graph_time(lambda i: w8a8_matmul(xq, xs, *ws[i]), len(ws))
            tp = torch_path(fmt, xq, xs, *ws[0])
            t_torch = None
            if tp is not None:
                try: t_torch = graph_time(lambda i: torch_path(fmt, xq, xs, *ws[i])(), len(ws))
                except Exception as e: t_torch = None
            tt = f"{t_torch*1e6:.1f} | {t_ref/t_torch:.2f}x" if t_torch else "n/a | "
            print(f"| {fmt} | {K} | {N} | {M} | {t_ref*1e6:.1f} | {t*1e6:.1f} | {r:.2f}x | {t_mm*1e6:.1f} ({t_ref/t_mm:.2f}x) | {tt} |",
                  flush=True)
        del W, ws; torch.cuda.empty_cache()

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--sweep", action="store_true"); ap.add_argument("--check", action="store_true")
    ap.add_argument("--table-M", type=int, nargs="*", default=BATCHES, help="table: batch sizes")
    ap.add_argument("--shapes", nargs="*", default=None, help="table: KxN shapes, e.g. 8192x28672")
    a = ap.parse_args()
    if not torch.cuda.is_available(): sys.exit("bench_w8a8: needs a CUDA GPU (the CPU tests run in the notebooks)")
    if a.check: check()
    elif a.sweep: sweep()
    else: table(a.table_M, [tuple(map(int, x.split('x'))) for x in a.shapes] if a.shapes else SHAPES)
