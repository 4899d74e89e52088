"""Session 9: even work per program ("stream-K") and one-load partial sums for the pair kernel, side by side in one run.

    python kernels/probe_streamk.py                      # H100: a few minutes
    python kernels/probe_streamk.py --M 1 --shapes 8192x28672

Split K gives every program of a tile the same number of slices, so the grid is tiles x split programs: 448 for one row of
8192x28672 (128-output tiles, split 2), 3.4 per multiprocessor where 4 fit. With `programs` = P, program p instead takes the
p-th P-th of all (tile, slice) pairs, runs that may start and end inside a tile, so any P works: 4 per multiprocessor
gives every one the same bytes to read. And at one row the tile's last program now loads all the partial sums in one
request (`_ROW1_SUM`) instead of one after another (`off` below: as up to session 8).
"""
import argparse, sys
import torch, torch.nn.functional as F
import triton
sys.path.insert(0, "."); sys.path.insert(0, "kernels")
import compressnb.kernels.wa16 as wa16
from compressnb.kernels.wa16 import wa16_matmul, wa16_config, wa16_reference, WA16Config
from dataclasses import replace
from bench_wa16 import graph_time, copies, random_weight

def main(a):
    sms = torch.cuda.get_device_properties(0).multi_processor_count
    print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}, triton {triton.__version__}", flush=True)
    for s in a.shapes:
        K, N = map(int, s.split("x"))
        w0 = random_weight(K, N)
        ws = [w0] + [random_weight(K, N) for _ in range(copies(w0.nbytes) - 1)]
        W = [torch.randn(N, K, device="cuda", dtype=torch.bfloat16) for _ in range(copies(N * K * 2))]
        for M in a.M:
            x = torch.randn(M, K, device="cuda", dtype=torch.bfloat16)
            ref = wa16_reference(x.double(), ws[0]).float()
            t_bf = graph_time(lambda i: F.linear(x, W[i]), len(W))
            heur = wa16_config(M, N, K, 128, sms)
            base = heur if heur.mma else WA16Config(16, 128 if N >= 8192 else 64, 128, 2, 4, 3, mma=True, tma=True, xnat=True)
            rows = [("heuristic", heur, True), ("heuristic, partials one by one", heur, False)]
            rows += [(f"heuristic, maxnreg {r}", replace(heur, maxnreg=r), True) for r in a.maxnreg]
            rows += [(f"stream-K {f}x{sms} programs" + (f", maxnreg {r}" if r else ""), replace(base, programs=int(f * sms), maxnreg=r), True)
                     for f in a.per_sm for r in [None] + a.maxnreg]
            print(f"K={K} N={N} M={M}: bf16 {t_bf*1e6:7.1f} us | {heur}", flush=True)
            for name, cfg, row1 in rows:
                wa16._ROW1_SUM = row1
                try:
                    t = graph_time(lambda i: wa16_matmul(x, ws[i], cfg=cfg), len(ws))
                    y = wa16_matmul(x, ws[0], cfg=cfg).float()
                except Exception as e: print(f"    {name}: failed {repr(e)[:300]}", flush=True); continue
                err = ((y - ref).norm() / ref.norm()).item()
                print(f"    {t*1e6:7.1f} us ({t_bf/t:.2f}x bf16)  {name}  rel err {err:.1e}", flush=True)
                assert err < 1e-2, err
            wa16._ROW1_SUM = True
        del ws, W; torch.cuda.empty_cache()

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--M", type=int, nargs="*", default=[1, 2, 16])
    ap.add_argument("--shapes", nargs="*", default=["8192x28672", "28672x8192", "4096x14336"])
    ap.add_argument("--per-sm", type=float, nargs="*", default=[2, 3, 4, 5, 6, 8])
    ap.add_argument("--maxnreg", type=int, nargs="*", default=[], help="also each with registers capped (4 programs of 4 warps fit at 128)")
    a = ap.parse_args()
    if not torch.cuda.is_available(): sys.exit("probe_streamk: needs a CUDA GPU")
    main(a)
