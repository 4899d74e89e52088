"""Session 10: where one row's microseconds go on the small and middle layers (the GEMV), variants side by side in one run.

    python kernels/probe_m1.py                              # H100: about two minutes
    python kernels/probe_m1.py --shapes 4096x14336 --splits 2 4 8
    TRITON_INTERPRET=1 python kernels/probe_m1.py --cpu     # correctness of every variant on the CPU

One row of 4096x4096 takes 9.6 us where reading its 8.4 MB takes about 4.6, and 4096x14336 17.8 us against 11.7: a fixed
5-6 us more than the read, whatever the size. A GEMV program's life is a chain of waits: its first words (a DRAM round
trip), one more round trip per slice when only the next slice is in flight (`prefetch`), then its partial sums, an atomic
on the tile's counter, and in the tile's last program one L2 round trip per split (the loop over the splits has a
runtime bound, so each load waits for the one before). The variants shorten the chain:

- `depth` D: slice t+D's words requested before slice t's arithmetic (the library: D = 1; inputs and scales stay 1 ahead);
- `maxnreg`: registers per thread capped (80 registers: 6 programs of 4 warps per multiprocessor, 64: 8);
- `red`: `loop` (the library), `unrolled` (the split count a compile-time constant, all partial sums requested at once),
  `none` (no reduction at all: a wrong result, timing only).

The flat read of the same bytes (codes + scales) in one pass is the ceiling (`probe_stream._read_flat`).
"""
import argparse, sys
import torch
import triton, triton.language as tl
sys.path.insert(0, "."); sys.path.insert(0, "kernels")
from compressnb.kernels.wa16 import (wa16_matmul, wa16_config, wa16_reference, _counters, _gemv_words, _gemv_inputs, _gemv_scale_zero,
                                     _gemv_slice1, INTERPRET)
from dataclasses import replace

@triton.jit
def _prefetch_rows(qw_ptr, r, stride_qk, n0, NBYTES: tl.constexpr):
    "Word rows `r` (a tensor), NBYTES from output n0 on each, requested into L2 by bulk prefetches (no registers wait for them)."
    return tl.inline_asm_elementwise(f"cp.async.bulk.prefetch.L2.global [$1], {NBYTES}; mov.u32 $0, 0;", "=r,l",
                                     [qw_ptr + r.to(tl.int64) * stride_qk + n0], dtype=tl.int32, is_pure=False, pack=1)

@triton.jit
def _probe_gemv(x_ptr, qw_ptr, s_ptr, z_ptr, out_ptr, ws_ptr, cnt_ptr, N, K, stride_qk, stride_qn, tiles_per_split, magic,
                BITS: tl.constexpr, GROUP: tl.constexpr, HAS_Z: tl.constexpr, INT_Z: tl.constexpr, NSPLIT: tl.constexpr,
                BN: tl.constexpr, BK: tl.constexpr, EVEN: tl.constexpr, DEPTH: tl.constexpr, RED: tl.constexpr, L2: tl.constexpr):
    """The library's one-row GEMV (prefetching), words requested DEPTH slices ahead; RED 0: loop over the splits, 1: unrolled,
    2: none; L2 > 0: slice t+L2's words prefetched into L2 at step t, L2 = -1: the program's first 256 word rows at its start."""
    P: tl.constexpr = 32 // BITS
    KWT: tl.constexpr = BK // P
    pid_n, pid_k = tl.program_id(0), tl.program_id(1)
    rn = pid_n * BN + tl.arange(0, BN)
    KW = (K + P - 1) // P
    t0 = pid_k * tiles_per_split
    t1 = tl.minimum(t0 + tiles_per_split, (K + BK - 1) // BK)
    acc = tl.zeros((BN, KWT), dtype=tl.float32)
    if L2 == -1:                                                # one row per thread (4 warps: 256 rows = 16 slices)
        r = t0 * KWT + tl.arange(0, 256)
        _prefetch_rows(qw_ptr, tl.minimum(r, t1 * KWT - 1), stride_qk, pid_n * BN, BN * 4)
    w = _gemv_words(qw_ptr, rn, t0, stride_qn, stride_qk, N, KW, KWT, EVEN)
    w1 = _gemv_words(qw_ptr, rn, tl.minimum(t0 + 1, t1 - 1), stride_qn, stride_qk, N, KW, KWT, EVEN)
    if DEPTH >= 3: w2 = _gemv_words(qw_ptr, rn, tl.minimum(t0 + 2, t1 - 1), stride_qn, stride_qk, N, KW, KWT, EVEN)
    else: w2 = w1
    x0, x1, x2, x3, x4, x5, x6, x7 = _gemv_inputs(x_ptr, t0, K, KWT, BITS, EVEN)
    s, z = _gemv_scale_zero(s_ptr, z_ptr, t0, rn, N, BITS, BK, GROUP, HAS_Z)
    for t in range(t0, t1):
        tn = tl.minimum(t + 1, t1 - 1)
        if L2 > 0:
            if t + L2 < t1: _prefetch_rows(qw_ptr, (t + L2) * KWT + tl.arange(0, KWT), stride_qk, pid_n * BN, BN * 4)
        nw = _gemv_words(qw_ptr, rn, tl.minimum(t + DEPTH, t1 - 1), stride_qn, stride_qk, N, KW, KWT, EVEN)   # (past the end: L2 hits)
        n0, n1, n2, n3, n4, n5, n6, n7 = _gemv_inputs(x_ptr, tn, K, KWT, BITS, EVEN)
        ns, nz = _gemv_scale_zero(s_ptr, z_ptr, tn, rn, N, BITS, BK, GROUP, HAS_Z)
        acc = _gemv_slice1(w, x0, x1, x2, x3, x4, x5, x6, x7, s, z, acc, magic, BITS, INT_Z)
        if DEPTH == 1: w = nw
        elif DEPTH == 2: w, w1 = w1, nw
        else: w, w1, w2 = w1, w2, nw
        s, z = ns, nz
        x0, x1, x2, x3, x4, x5, x6, x7 = n0, n1, n2, n3, n4, n5, n6, n7
    res = tl.sum(acc, axis=1)                                   # [BN]
    if NSPLIT == 1: tl.store(out_ptr + rn, res.to(out_ptr.dtype.element_ty), mask=rn < N)
    else:
        tl.store(ws_ptr + pid_k * N + rn, res, mask=rn < N)
        if RED < 2:
            tl.debug_barrier()
            if tl.atomic_add(cnt_ptr + pid_n, 1, sem="acq_rel") == NSPLIT - 1:
                y = tl.zeros((BN,), dtype=tl.float32)
                if RED == 0:
                    for k in range(tl.num_programs(1)): y += tl.load(ws_ptr + k * N + rn, mask=rn < N, other=0.0, cache_modifier=".cg")
                else:
                    for k in tl.static_range(NSPLIT): y += tl.load(ws_ptr + k * N + rn, mask=rn < N, other=0.0, cache_modifier=".cg")
                tl.store(out_ptr + rn, y.to(out_ptr.dtype.element_ty), mask=rn < N)
                tl.atomic_xchg(cnt_ptr + pid_n, 0)

RED = {"loop": 0, "unrolled": 1, "none": 2}

def probe_call(x, w, split, depth, red, maxnreg=None, l2=0):
    "One row through the probe kernel with the library's one-row tiling (64 outputs, BK 128) and `split`."
    BN, BK = 64, 128
    k_tiles = -(-w.K // BK)
    tps = -(-k_tiles // split); split = -(-k_tiles // tps)
    out = torch.empty(1, w.N, dtype=x.dtype, device=x.device)
    ws = torch.empty(split, w.N, dtype=torch.float32, device=x.device)
    cnt = _counters(x.device, -(-w.N // BN))
    z = w.zeros if w.zeros is not None else w.scales
    _probe_gemv[(-(-w.N // BN), split)](x, w.qw, w.scales, z, out, ws, cnt, w.N, w.K, *w.qw.stride(), tps, 0x4B000000, BITS=w.bits,
                                        GROUP=w.group, HAS_Z=w.zeros is not None, INT_Z=w.int_zeros, NSPLIT=split, BN=BN, BK=BK,
                                        EVEN=w.N % BN == 0 and w.K % BK == 0, DEPTH=depth, RED=RED[red], L2=l2 if not INTERPRET else 0, num_warps=4, num_stages=1,
                                        **({"maxnreg": maxnreg} if maxnreg else {}))
    return out

VARIANTS = [(1, "loop", None, 0), (1, "unrolled", None, 0), (1, "none", None, 0), (1, "loop", None, -1), (1, "none", None, -1),
            (1, "loop", None, 2), (1, "loop", None, 3), (1, "loop", None, 4), (1, "none", None, 3)]   # (depth, reduction, register cap, L2)

def cpu_check():
    from compressnb.kernels.wa16 import pack_wa16
    torch.manual_seed(0)
    for K, N, split in [(1024, 192, 1), (1024, 192, 2), (2048, 128, 4), (1536, 64, 3)]:
        codes = torch.randint(0, 16, (N, K), dtype=torch.uint8)
        w = pack_wa16(codes, torch.rand(N, K // 128) * 0.02 + 0.001, None, 4, 128)
        x = torch.randn(1, K, dtype=torch.float16)
        ref = wa16_reference(x.float(), w)
        for depth, red, _, _ in VARIANTS:
            if red == "none" and split > 1: continue
            y = probe_call(x, w, split, depth, red).float()
            err = ((y - ref).norm() / ref.norm()).item()
            print(f"K={K} N={N} split {split} depth {depth} {red}: rel err {err:.1e}")
            assert err < 2e-3, err
    print("all variants match the reference")

def main():
    from bench_wa16 import graph_time, copies, random_weight
    from probe_stream import _read_flat
    ap = argparse.ArgumentParser()
    ap.add_argument("--shapes", nargs="*", default=["4096x4096", "4096x14336", "14336x4096", "8192x8192"])
    ap.add_argument("--splits", nargs="*", type=int, default=None, help="K-splits to try (default: the library's, half, double)")
    a = ap.parse_args()
    print(torch.cuda.get_device_name(), f"torch {torch.__version__}, triton {triton.__version__}", flush=True)
    for shape in a.shapes:
        K, N = map(int, shape.split("x"))
        w0 = random_weight(K, N, 4, 128)
        R = copies(w0.nbytes)
        ws = [w0] + [random_weight(K, N, 4, 128) for _ in range(R - 1)]
        x = torch.randn(1, K, dtype=torch.bfloat16, device="cuda")
        cfg = wa16_config(1, N, K, 128)
        ref = wa16_reference(x.float(), w0)
        lib = graph_time(lambda i: wa16_matmul(x, ws[i]), R)
        nbytes = w0.nbytes
        n_words = nbytes // 4
        flats = [torch.randint(-2**31, 2**31 - 1, (n_words,), dtype=torch.int32, device="cuda") for _ in range(R)]
        fo = torch.empty(triton.cdiv(n_words, 2048 * 4), dtype=torch.int32, device="cuda")
        flat = graph_time(lambda i: _read_flat[(fo.numel(),)](flats[i], fo, n_words, BLOCK=2048, ITERS=4, num_warps=8), R)
        del flats
        print(f"K={K} N={N} M=1: {nbytes / 1e6:.1f} MB; flat read {flat * 1e6:.1f} us; library {lib * 1e6:.1f} us {cfg}", flush=True)
        print("| split | depth | reduction | register cap | L2 prefetch | us | fraction of flat read | rel err |")
        print("|---|---|---|---|---|---|---|---|")
        for split in a.splits or sorted({max(cfg.split // 2, 1), cfg.split, cfg.split * 2}):
            for depth, red, cap, l2 in VARIANTS:
                t = graph_time(lambda i: probe_call(x, ws[i], split, depth, red, cap, l2), R)
                err = ((probe_call(x, w0, split, depth, red, cap, l2).float() - ref).norm() / ref.norm()).item()
                print(f"| {split} | {depth} | {red} | {cap or '-'} | {l2} | {t * 1e6:.1f} | {flat / t:.2f} | {err:.1e} |", flush=True)
        del ws; torch.cuda.empty_cache()

if __name__ == "__main__":
    if "--cpu" in sys.argv: cpu_check()
    elif not torch.cuda.is_available(): sys.exit("probe_m1: needs a CUDA GPU (or --cpu with TRITON_INTERPRET=1)")
    else: main()
