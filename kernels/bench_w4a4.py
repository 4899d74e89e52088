"""QUIK's W4A4 kernel (4-bit weights and activations, fp16 outlier columns) against our INT8 W8A8 and bf16 `F.linear`,
side by side in one run.

    python kernels/bench_w4a4.py             # the table for kernels/RESULTS.md (batch 1, 16, 256, 4096; Llama-3 shapes)
    python kernels/bench_w4a4.py --check     # correctness on the GPU against the layer's reference, then exit
    python kernels/bench_w4a4.py --sweep     # candidate tilings at large M (8192x28672)

"W4A4" and "W8A8" include quantizing the activations (and, for W4A4, gathering the base and outlier columns); each is
timed against bf16 in alternating rounds as in bench_wa16.py (CUDA graphs over rotated weight copies, median replay), and
the two speed-ups come from the same run. Outliers: 1/32 of the input columns (QUIK's 128 of 4096), in fp16.
Floors: bytes (weight codes, scales and outlier weights, activations in and out) at the copy bandwidth measured in the same
run, and operations at the int8 tensor-core rate measured in the same run (`torch._int_mm` at 8192^3): at large batch the
products are bound by arithmetic, which Hopper does in int8 at best for 4-bit codes (it has no 4-bit instruction).
"""
import argparse, itertools, sys
import torch, torch.nn.functional as F
import triton
sys.path.insert(0, ".")
sys.path.insert(0, "kernels")
from bench_wa16 import SHAPES, graph_time, paired_time, copies, copy_bandwidth
from compressnb.quik import QUIKLinear
from compressnb.w8a8 import quantize_rows_reference
from compressnb.kernels.w8a8 import quantize_rows, w8a8_matmul
from compressnb.kernels.w4a4 import W4A4Config, quik_split, w4a4_matmul, quiklinear_forward

def random_quik(K, N, bits=4, fraction=1/32):
    O = round(K * fraction)
    qmax = 2 ** (bits - 1)
    codes = torch.randint(-qmax, qmax, (N, K - O), device="cuda")
    outl = torch.randperm(K, device="cuda")[:O].sort().values
    return QUIKLinear.from_parts(codes, (torch.rand(N, device="cuda") * 0.01 + 0.001).half(), outl.int(),
                                 (torch.randn(N, O, device="cuda") * 0.05).half(), bits, None, torch.bfloat16)

def check():
    torch.manual_seed(0)
    worst, n = 0.0, 0
    for bits, (M, K, N), fraction in itertools.product([4, 8], [(1, 4096, 4096), (37, 1000, 3000), (300, 4104, 520), (4096, 512, 1000)],
                                                     [0, 1/32]):
        m = random_quik(K, N, bits, fraction)
        x = torch.randn(M, K, device="cuda", dtype=torch.bfloat16) * 3; x[:, m.outliers.long()] *= 20
        y = quiklinear_forward(m, x)
        ref = m.reference_forward(x.float())
        err = ((y.float() - ref).norm() / ref.norm()).item()
        assert err < 1e-2, (bits, M, K, N, fraction, err)
        worst, n = max(worst, err), n + 1
    print(f"W4A4/W8A8 QUIK on {torch.cuda.get_device_name()}: {n} checks pass, largest relative error {worst:.1e}")

def int8_rate() -> float:
    "Operations/s of torch's int8 product at 8192^3 (two per multiply-add)."
    a = torch.randint(-8, 8, (8192, 8192), dtype=torch.int8, device="cuda"); b = torch.randint(-8, 8, (8192, 8192), dtype=torch.int8, device="cuda")
    t = triton.testing.do_bench(lambda: torch._int_mm(a, b.T), warmup=20, rep=200, return_mode="median") / 1e3
    return 2 * 8192**3 / t

def table(Ms=(1, 16, 256, 4096), shapes=SHAPES):
    bw, ops = copy_bandwidth(), int8_rate()
    print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}, triton {triton.__version__}; copy bandwidth {bw/1e12:.2f} TB/s, "
          f"int8 products {ops/1e12:.0f} TOP/s (torch._int_mm, 8192^3); W4A4: 1/32 of the columns as fp16 outliers")
    print("| K | N | M | bf16 (us) | W8A8 int8 (us) | W4A4 (us) | W8A8 vs bf16 | W4A4 vs bf16 | W4A4 vs W8A8 | W4A4 floor (us): bytes, operations |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for K, N in shapes:
        W = [torch.randn(N, K, device="cuda", dtype=torch.bfloat16) for _ in range(copies(N * K * 2))]
        w8 = [quantize_rows_reference(torch.randn(N, K, device="cuda"), "int8") for _ in range(copies(N * K))]
        q4 = [random_quik(K, N) for _ in range(copies(N * K // 2))]
        nbytes_w = q4[0].weight_bits() // 8
        for M in Ms:
            x = torch.randn(M, K, device="cuda", dtype=torch.bfloat16)
            f8 = lambda i: w8a8_matmul(*quantize_rows(x, "int8"), *w8[i])
            f4 = lambda i: quiklinear_forward(q4[i], x)
            t_b, t_8, r8 = paired_time(lambda i: F.linear(x, W[i]), len(W), f8, len(w8))
            t_b2, t_4, r4 = paired_time(lambda i: F.linear(x, W[i]), len(W), f4, len(q4))
            _, _, r48 = paired_time(f8, len(w8), f4, len(q4))
            floor_b = (nbytes_w + 2 * M * K + 2 * M * N) / bw
            floor_o = 2 * M * N * K / ops
            print(f"| {K} | {N} | {M} | {t_b*1e6:.1f} | {t_8*1e6:.1f} | {t_4*1e6:.1f} | {r8:.2f}x | {r4:.2f}x | {r48:.2f}x | "
                  f"{floor_b*1e6:.1f}, {floor_o*1e6:.1f} |", flush=True)
        del W, w8, q4; torch.cuda.empty_cache()

def sweep(Ms=(4096,), shapes=((8192, 28672),)):
    for (K, N), M in itertools.product(shapes, Ms):
        q4 = [random_quik(K, N) for _ in range(copies(N * K // 2))]
        x = torch.randn(M, K, device="cuda", dtype=torch.bfloat16)
        base = q4[0].base_columns().int()
        xq, xs, xo = quik_split(x, base, q4[0].outliers)
        t_split = graph_time(lambda i: quik_split(x, base, q4[i].outliers), len(q4))
        res = []
        for BM, BN, BK, GM, warps, stages in [(128, 256, 128, 8, 8, 3), (128, 256, 128, 8, 8, 4), (128, 128, 128, 8, 8, 4),
                                              (256, 128, 128, 8, 8, 3), (128, 256, 64, 8, 8, 4), (128, 128, 128, 8, 4, 4),
                                              (128, 256, 256, 8, 8, 3), (64, 256, 128, 8, 4, 4)]:
            cfg = W4A4Config(BM, BN, BK, 32, GM, warps, stages)
            try: t = graph_time(lambda i: w4a4_matmul(xq, xs, q4[i].qweight, q4[i].weight_scale, xo, q4[i].outlier_weight, cfg=cfg), len(q4))
            except Exception as e: print(f"  {cfg}: {type(e).__name__}"); continue
            res.append((t, cfg))
        res.sort(key=lambda r: r[0])
        print(f"K={K} N={N} M={M}: split {t_split*1e6:.0f} us; products: " +
              "; ".join(f"{t*1e6:.0f} us {c.BM}x{c.BN}x{c.BK} g{c.GM} w{c.num_warps} s{c.num_stages}" for t, c in res), flush=True)

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true"); ap.add_argument("--sweep", action="store_true")
    ap.add_argument("--table-M", type=int, nargs="*", default=[1, 16, 256, 4096], help="table: batch sizes")
    ap.add_argument("--shapes", nargs="*", default=None, help="table: KxN shapes, e.g. 8192x28672")
    a = ap.parse_args()
    if not torch.cuda.is_available(): sys.exit("bench_w4a4: needs a CUDA GPU (the CPU tests run in the notebooks)")
    shapes = [tuple(map(int, x.split('x'))) for x in a.shapes] if a.shapes else SHAPES
    if a.check: check()
    elif a.sweep: sweep()
    else: table(a.table_M, shapes)
