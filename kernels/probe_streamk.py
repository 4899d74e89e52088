"""Session 9: even work per program ("stream-K") and one-load partial sums for the pair kernel, side by side in one run.

    python kernels/probe_streamk.py                      # H100: a few minutes
    python kernels/probe_streamk.py --M 1 --shapes 8192x28672 --per-sm 3 4 --maxnreg 128
    TRITON_INTERPRET=1 python kernels/probe_streamk.py --cpu      # correctness on the CPU

Split K gives every program of a tile the same number of slices, so the grid is tiles x split programs: 448 for one row of
8192x28672 (128-output tiles, split 2), 3.4 per multiprocessor where 4 fit. With `programs` = P, program p instead takes the
p-th P-th of all (tile, slice) pairs, runs that may start and end inside a tile, so any P works: 4 per multiprocessor
gives every one the same bytes to read. And at one row the tile's last program can load all the partial sums in one
request instead of one after another. Both are kernels of this file built on the library's slice loop (`_pair_acc`).
Measured (kernels/RESULTS.md, session 9): both slower, neither is in the library.
"""
import argparse, functools, sys
import torch, torch.nn.functional as F
import triton, triton.language as tl
sys.path.insert(0, "."); sys.path.insert(0, "kernels")
from compressnb.kernels.wa16 import (wa16_matmul, wa16_config, wa16_reference, WA16Config, _pair_acc, _pair_tile_out, _counters,
                                     _words_box, _tma_ok, INTERPRET)
from dataclasses import replace
from bench_wa16 import graph_time, copies, random_weight

@triton.jit
def _tile_out_row1(acc, rm, rn, ws_ptr, out_ptr, b_ptr, cnt_ptr, M, N, pid_m, pid_n, part, parts, HAS_BIAS: tl.constexpr, BN: tl.constexpr,
                   JP: tl.constexpr):
    "`_pair_tile_out` for one input row, split K: the last program requests all (at most JP) partial sums in one load."
    tl.store(ws_ptr + (part * M + rm[None, :]) * N + rn[:, None], acc, mask=(rn[:, None] < N) & (rm[None, :] < M))
    tl.debug_barrier()
    tile = pid_n * tl.num_programs(0) + pid_m
    if tl.atomic_add(cnt_ptr + tile, 1, sem="acq_rel") == parts - 1:
        j = tl.arange(0, JP)
        rn1 = pid_n * BN + tl.arange(0, BN)
        ps = tl.load(ws_ptr + j[:, None] * N + rn1[None, :], mask=(j[:, None] < parts) & (rn1[None, :] < N), other=0.0, cache_modifier=".cg")
        y = tl.sum(ps, axis=0)                                  # [BN]
        if HAS_BIAS: y += tl.load(b_ptr + rn1, mask=rn1 < N, other=0.0).to(tl.float32)
        tl.store(out_ptr + rn1, y.to(out_ptr.dtype.element_ty), mask=rn1 < N)
        tl.atomic_xchg(cnt_ptr + tile, 0)

@triton.jit
def _tile_out(acc, rm, rn, ws_ptr, out_ptr, b_ptr, cnt_ptr, M, N, stride_om, pid_m, pid_n, part, parts, HAS_BIAS: tl.constexpr,
              BM: tl.constexpr, BN: tl.constexpr, JP: tl.constexpr, UNROLL: tl.constexpr = False):
    if parts == 1: _pair_tile_out(acc, rm, rn, ws_ptr, out_ptr, b_ptr, cnt_ptr, M, N, stride_om, pid_m, pid_n, 0, 1, False, HAS_BIAS, BM, BN)
    elif JP > 0 and UNROLL:                                     # session 10: the library's one-row path (JP unrolled [BN] loads)
        _pair_tile_out(acc, rm, rn, ws_ptr, out_ptr, b_ptr, cnt_ptr, M, N, stride_om, pid_m, pid_n, part, parts, True, HAS_BIAS, BM, BN, JP)
    elif JP > 0: _tile_out_row1(acc, rm, rn, ws_ptr, out_ptr, b_ptr, cnt_ptr, M, N, pid_m, pid_n, part, parts, HAS_BIAS, BN, JP)
    else: _pair_tile_out(acc, rm, rn, ws_ptr, out_ptr, b_ptr, cnt_ptr, M, N, stride_om, pid_m, pid_n, part, parts, True, HAS_BIAS, BM, BN)

@triton.jit
def _probe_kernel(x_ptr, qw_ptr, wd, s_ptr, z_ptr, b_ptr, out_ptr, ws_ptr, cnt_ptr, M, N, K, stride_xm, stride_om, stride_qk, stride_qn,
                  tiles_per_split, GROUP: tl.constexpr, HAS_Z: tl.constexpr, HAS_BIAS: tl.constexpr, FP16: tl.constexpr,
                  BM: tl.constexpr, BN: tl.constexpr, BK: tl.constexpr, EVEN: tl.constexpr, ASM: tl.constexpr, UPCAST: tl.constexpr,
                  TMA: tl.constexpr, BITS: tl.constexpr, XNAT: tl.constexpr, STREAM: tl.constexpr, JP: tl.constexpr,
                  UNROLL: tl.constexpr = False):
    """The library's pair kernel (`_pair_acc`), split K as there, or STREAM: program (m, p) of P takes the p-th P-th of all
    (tile, slice) pairs, tile after tile, runs that may begin and end inside a tile; a tile's runs are added by its last program."""
    pid_m = tl.program_id(0)
    rm = pid_m * BM + tl.arange(0, BM)
    if not TMA: wd = qw_ptr
    if STREAM:
        p, NP = tl.program_id(1).to(tl.int64), tl.num_programs(1)
        KT = (K + BK - 1) // BK                                 # slices per tile
        U = ((N + BN - 1) // BN) * KT                           # (tile, slice) pairs: tile u // KT, slice u % KT
        u0, u1 = (p * U // NP).to(tl.int32), ((p + 1) * U // NP).to(tl.int32)   # this program's pairs [u0, u1)
        for pid_n in range(u0 // KT, (u1 + KT - 1) // KT):
            rn = pid_n * BN + tl.arange(0, BN)
            acc = _pair_acc(x_ptr, qw_ptr, wd, s_ptr, z_ptr, rm, rn, pid_n, tl.maximum(u0 - pid_n * KT, 0), tl.minimum(u1 - pid_n * KT, KT),
                            M, N, K, stride_xm, stride_qk, stride_qn, GROUP, HAS_Z, FP16, BM, BN, BK, EVEN, ASM, UPCAST, False, TMA,
                            BITS, XNAT)
            first = ((pid_n * KT + 1).to(tl.int64) * NP - 1) // U         # pair u is program ((u + 1) P - 1) // U's
            last = (((pid_n + 1) * KT).to(tl.int64) * NP - 1) // U
            _tile_out(acc, rm, rn, ws_ptr, out_ptr, b_ptr, cnt_ptr, M, N, stride_om, pid_m, pid_n, (p - first).to(tl.int32),
                      (last - first + 1).to(tl.int32), HAS_BIAS, BM, BN, JP, UNROLL)
    else:
        pid_n, pid_k = tl.program_id(1), tl.program_id(2)
        rn = pid_n * BN + tl.arange(0, BN)
        t0 = pid_k * tiles_per_split
        t1 = tl.minimum(t0 + tiles_per_split, (K + BK - 1) // BK)
        acc = _pair_acc(x_ptr, qw_ptr, wd, s_ptr, z_ptr, rm, rn, pid_n, t0, t1, M, N, K, stride_xm, stride_qk, stride_qn, GROUP, HAS_Z,
                        FP16, BM, BN, BK, EVEN, ASM, UPCAST, False, TMA, BITS, XNAT)
        _tile_out(acc, rm, rn, ws_ptr, out_ptr, b_ptr, cnt_ptr, M, N, stride_om, pid_m, pid_n, pid_k, tl.num_programs(2), HAS_BIAS, BM, BN, JP,
                  UNROLL)

@functools.lru_cache(maxsize=256)
def stream_parts(tiles:int, k_tiles:int, programs:int) -> int:
    "Stream-K: the most programs whose runs of (tile, slice) pairs meet in one tile."
    U = tiles * k_tiles
    owner = lambda u: ((u + 1) * programs - 1) // U
    return max(owner((t + 1) * k_tiles - 1) - owner(t * k_tiles) + 1 for t in range(tiles))

class Probe:
    "The probe kernel as a callable on (x, weight): `programs` > 0 for stream-K, else split K; row1: one-load partials at one row."
    def __init__(self, cfg:WA16Config, programs:int=0, row1:bool=False, unroll:bool=False):
        self.cfg, self.programs, self.row1, self.unroll = cfg, programs, row1 or unroll, unroll
    def __repr__(self): return (f"stream-K {self.programs} programs" if self.programs else f"split {self.cfg.split}") + \
        (", partials by unrolled loads" if self.unroll else ", partials in one load" if self.row1 else "") + \
        (f", maxnreg {self.cfg.maxnreg}" if self.cfg.maxnreg else "")
    def __call__(self, x, w):
        cfg, M, N, K = self.cfg, x.shape[0], w.N, w.K
        assert w.perm is None and w.int_zeros and not cfg.xperm and cfg.mma
        mt, nt, kt = -(-M // cfg.BM), -(-N // cfg.BN), -(-K // cfg.BK)
        tps = -(-kt // cfg.split)
        if self.programs: npr = min(self.programs, nt * kt); parts, grid = stream_parts(nt, kt, npr), (mt, npr)
        else: parts = -(-kt // tps); grid = (mt, nt, parts)
        jp = triton.next_power_of_2(parts) if self.row1 and M == 1 and 1 < parts <= 32 else 0
        out = torch.empty(M, N, dtype=x.dtype, device=x.device)
        ws = torch.empty(parts, M, N, dtype=torch.float32, device=x.device) if parts > 1 else out
        cnt = _counters(x.device, mt * nt) if parts > 1 else out
        z = w.zeros if w.zeros is not None else w.scales
        b = w.bias if w.bias is not None else w.scales
        wd = _words_box(w.qw, cfg.BK * w.bits // 32, cfg.BN) if cfg.tma and _tma_ok(w.qw, x.device) else None
        _probe_kernel[grid](x, w.qw, wd, w.scales, z, b, out, ws, cnt, M, N, K, x.stride(0), out.stride(0), *w.qw.stride(), tps,
                            GROUP=w.group if w.group < K else K + cfg.BK, HAS_Z=w.zeros is not None, HAS_BIAS=w.bias is not None,
                            FP16=x.dtype == torch.float16, BM=cfg.BM, BN=cfg.BN, BK=cfg.BK,
                            EVEN=N % cfg.BN == 0 and K % cfg.BK == 0, ASM=not INTERPRET, UPCAST=INTERPRET, TMA=wd is not None,
                            BITS=w.bits, XNAT=cfg.xnat, STREAM=self.programs > 0, JP=jp, UNROLL=self.unroll and jp > 0, num_warps=cfg.num_warps,
                            num_stages=cfg.num_stages, **({'maxnreg': cfg.maxnreg} if cfg.maxnreg else {}))
        return out

def cpu_check():
    "Interpreter: the probe kernel equals the reference (stream-K with runs that cross tiles, one-load partials, bias, both widths)."
    from compressnb.kernels.wa16 import pack_wa16
    torch.manual_seed(0)
    for K, N, M, bits, progs, fp16 in [(640, 200, 1, 4, 7, False), (640, 200, 1, 8, 11, True), (640, 200, 3, 4, 7, True), (512, 256, 1, 4, 0, False)]:
        codes = torch.randint(0, 2**bits, (N, K), dtype=torch.uint8)
        scales = (torch.rand(N, K // 128) * 0.02 + 0.001).half()
        b = torch.randn(N).half()
        w, w0 = pack_wa16(codes, scales, None, bits, 128, bias=b), pack_wa16(codes, scales, None, bits, 128)
        x = torch.randn(M, K, dtype=torch.float16 if fp16 else torch.bfloat16)
        ref = wa16_reference(x.double(), w0) + b.double()
        for tma, row1, unroll in [(False, False, False), (True, True, False), (True, False, True)]:
            f = Probe(WA16Config(16, 64, 128, 4, 4, 3, mma=True, tma=tma, xnat=bits == 4), progs, row1, unroll)
            e = ((f(x, w).double() - ref).norm() / ref.norm()).item()
            print(f"K={K} N={N} M={M} W{bits} {f!r}: rel err {e:.1e}"); assert e < 1e-2

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
            fs = [lambda x, w: wa16_matmul(x, w)]
            if heur.mma: fs += [Probe(heur), Probe(heur, row1=True), Probe(heur, unroll=True)] + \
                [Probe(replace(heur, maxnreg=r), row1=True) for r in a.maxnreg] + [Probe(replace(heur, split=s), unroll=True) for s in a.splits]
            fs += [Probe(replace(base, maxnreg=r), programs=int(f * sms), row1=True) for f in a.per_sm for r in [None] + a.maxnreg]
            print(f"K={K} N={N} M={M}: bf16 {t_bf*1e6:7.1f} us | {heur}", flush=True)
            for f in fs:
                name = "library" if not isinstance(f, Probe) else repr(f)
                try:
                    t = graph_time(lambda i: f(x, ws[i]), len(ws))
                    y = f(x, ws[0]).float()
                except Exception as e: print(f"    {name}: failed {repr(e)[:300]}", flush=True); continue
                err = ((y - ref).norm() / ref.norm()).item()
                print(f"    {t*1e6:7.1f} us ({t_bf/t:.2f}x bf16)  {name}  rel err {err:.1e}", flush=True)
                assert err < 1e-2, err
        del ws, W; torch.cuda.empty_cache()

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--cpu", action="store_true", help="correctness in Triton's interpreter (TRITON_INTERPRET=1)")
    ap.add_argument("--M", type=int, nargs="*", default=[1, 2, 16])
    ap.add_argument("--shapes", nargs="*", default=["8192x28672", "28672x8192", "4096x14336"])
    ap.add_argument("--per-sm", type=float, nargs="*", default=[2, 3, 4, 5, 6, 8])
    ap.add_argument("--splits", type=int, nargs="*", default=[], help="session 10: also the heuristic at these splits, partials by unrolled loads")
    ap.add_argument("--maxnreg", type=int, nargs="*", default=[], help="also each with registers capped (4 programs of 4 warps fit at 128)")
    a = ap.parse_args()
    if a.cpu: cpu_check()
    elif not torch.cuda.is_available(): sys.exit("probe_streamk: needs a CUDA GPU (or --cpu with TRITON_INTERPRET=1)")
    else: main(a)
