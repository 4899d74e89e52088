"""Does the way we time a call change the ratio? Per-call times of bf16 `F.linear` and of `wa16_matmul` under three methods.

    python kernels/probe_timing.py                 # H100: about two minutes
    python kernels/probe_timing.py --M 1 16 --shapes 8192x28672
    python kernels/probe_timing.py --no-products --no-reads --w8a8     # the W8A8 targets' product only

`flushed_graph_time` (bench_wa16's `graph_time` until session 8) puts one call per rotated weight copy into a CUDA graph (2 copies for the
large layers) and times each replay with `triton.testing.do_bench`, which first zeroes a 256 MB buffer to flush L2. Any
fixed cost of a replay is then shared by only R calls: the graph's start on the GPU, and the dirty L2 lines the zeroing
leaves behind (up to the 50 MB L2), which the next kernel must write back to DRAM while it reads its own bytes. On the
largest layers R is 2 for both bf16 and ours, and the same added microseconds shrink the ratio of the faster kernel; on
4096x14336 R is 2 for bf16 but 7 for ours, and the ratio grows.

  old      flushed_graph_time: R calls per graph, L2 flushed (zeroed) before each replay
  long     the same rotation over R copies, but >= CALLS calls per graph, L2 flushed (zeroed) before each replay
  steady   graph_time since session 9: >= CALLS calls per graph, replays back to back, no flush (rotation alone keeps
           weights out of L2)
  steady2  the same with twice the copies (had a weight survived in L2 between its calls,
           steady would be faster than this)

and the read ceiling under the same methods, for the layers' code bytes and the largest layer's bf16 bytes: a Triton
kernel that reads a flat buffer (probe_stream's best), and the same with each program's range first requested into L2
by one bulk prefetch.
"""
import argparse, sys
import torch, triton
import torch.nn.functional as F
sys.path.insert(0, ".")
sys.path.insert(0, "kernels")
from bench_wa16 import CALLS, _graph, graph_time, flushed_graph_time, copies, random_weight
from probe_stream import _read_flat
from compressnb.kernels.wa16 import wa16_matmul

def long_time(fn, n_inputs, calls=CALLS):
    "Seconds per call: >= calls calls per graph over the rotated copies, do_bench (L2 zeroed before each replay) median."
    g, n = _graph(fn, n_inputs, calls)
    return triton.testing.do_bench(g.replay, warmup=10, rep=200, return_mode="median") / 1e3 / n

METHODS = {"old": flushed_graph_time, "long": long_time, "steady": graph_time}

def products(shapes, Ms):
    print("| K | N | M | method | bf16 F.linear (us) | ours (us) | speed-up |")
    print("|---|---|---|---|---|---|---|")
    for K, N in shapes:
        w0 = random_weight(K, N)
        R, RW = copies(w0.nbytes), copies(N * K * 2)
        ws = [w0] + [random_weight(K, N) for _ in range(2 * R - 1)]
        W = [torch.randn(N, K, device="cuda", dtype=torch.bfloat16) for _ in range(2 * RW)]
        for M in Ms:
            x = torch.randn(M, K, device="cuda", dtype=torch.bfloat16)
            for name, time in list(METHODS.items()) + [("steady2", graph_time)]:
                r, rw = (2 * R, 2 * RW) if name == "steady2" else (R, RW)
                t_ref = time(lambda i: F.linear(x, W[i]), rw)
                t = time(lambda i: wa16_matmul(x, ws[i]), r)
                print(f"| {K} | {N} | {M} | {name} | {t_ref*1e6:.1f} | {t*1e6:.1f} | {t_ref/t:.2f}x |", flush=True)
        del ws, W; torch.cuda.empty_cache()

def w8a8(M=4096, K=8192, N=28672):
    "The W8A8 targets' product (activation quantization included) under each method: long kernels, where only power and clocks differ."
    from bench_w8a8 import weights
    from compressnb.kernels.w8a8 import quantize_rows, w8a8_matmul
    print("| format | K | N | M | method | bf16 F.linear (us) | ours (us) | speed-up |")
    print("|---|---|---|---|---|---|---|---|")
    W = [torch.randn(N, K, device="cuda", dtype=torch.bfloat16) for _ in range(copies(N * K * 2))]
    x = torch.randn(M, K, device="cuda", dtype=torch.bfloat16)
    for fmt in ("int8", "fp8"):
        ws = weights(K, N, fmt, copies(N * K))
        for name, time in METHODS.items():
            t_ref = time(lambda i: F.linear(x, W[i]), len(W))
            t = time(lambda i: w8a8_matmul(*quantize_rows(x, fmt), *ws[i]), len(ws))
            print(f"| {fmt} | {K} | {N} | {M} | {name} | {t_ref*1e6:.1f} | {t*1e6:.1f} | {t_ref/t:.3f}x |", flush=True)
        del ws; torch.cuda.empty_cache()

def reads(sizes):
    "Read ceiling: seconds to read nbytes by the flat Triton read, without and with an L2 bulk prefetch, per method."
    print("| MB read | method | flat Triton read (us) | TB/s | flat, L2 bulk prefetch (us) | TB/s |")
    print("|---|---|---|---|---|---|")
    for nbytes in sizes:
        R = copies(nbytes)
        bufs = [torch.randint(-2**31, 2**31 - 1, (nbytes // 4,), dtype=torch.int32, device="cuda") for _ in range(R)]
        out = torch.empty(-(-bufs[0].numel() // (2048 * 4)), dtype=torch.int32, device="cuda")
        for name, time in METHODS.items():
            t2 = time(lambda i: _read_flat[(out.numel(),)](bufs[i], out, bufs[i].numel(), BLOCK=2048, ITERS=4, num_warps=8), R)
            t3 = time(lambda i: _read_flat[(out.numel(),)](bufs[i], out, bufs[i].numel(), BLOCK=2048, ITERS=4, PREFETCH=True, num_warps=8), R)
            print(f"| {nbytes/1e6:.1f} | {name} | {t2*1e6:.1f} | {nbytes/t2/1e12:.2f} "
                  f"| {t3*1e6:.1f} | {nbytes/t3/1e12:.2f} |", flush=True)
        del bufs; torch.cuda.empty_cache()

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--shapes", nargs="*", default=["8192x28672", "28672x8192", "4096x14336"])
    ap.add_argument("--M", type=int, nargs="*", default=[1, 16])
    ap.add_argument("--no-reads", action="store_true")
    ap.add_argument("--no-products", action="store_true")
    ap.add_argument("--w8a8", action="store_true", help="also the W8A8 targets' product (M=4096, 8192x28672)")
    a = ap.parse_args()
    if not torch.cuda.is_available(): sys.exit("probe_timing: needs a CUDA GPU")
    print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}, triton {triton.__version__}", flush=True)
    if not a.no_products: products([tuple(map(int, s.split("x"))) for s in a.shapes], a.M)
    if a.w8a8: w8a8()
    if not a.no_reads: reads([8192 * 28672 // 2, 4096 * 14336 // 2, 8192 * 28672 * 2])
