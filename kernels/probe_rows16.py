"""Session 8: why the pair kernel is ~11% slower at 16 rows than at 2-8 rows (W4A16, large layers), side by side in one run.

    python kernels/probe_rows16.py                       # H100: a few minutes
    python kernels/probe_rows16.py --M 16 --shapes 8192x28672
    TRITON_INTERPRET=1 python kernels/probe_rows16.py --cpu   # correctness of the two-tile variant on the CPU

What 16 rows add over 2-8 rows (same tiling: 16-row tiles, 128 outputs, words by bulk copies) is the input tile's traffic
(16 x BK inputs per program and slice, once per 128 outputs: at 16 rows half the weight's bytes again, from L2) and the
split-K partial sums (fp32, split x M x N). Ablations of the library's kernel, launched directly:
`stride0` gives every input row the same address (same loads and instructions, 1/16 of the distinct input bytes);
`nopart` writes the output straight from every K-split program (no partial sums: a wrong result, timing only).
And a candidate fix: `_pair_nh` with NH=2 lets one program compute two 128-output tiles from one input tile (half the
input traffic, the words of both tiles by bulk copies).
"""
import argparse, itertools, os, sys
import torch, torch.nn.functional as F
import triton, triton.language as tl
sys.path.insert(0, "."); sys.path.insert(0, "kernels")
from compressnb.kernels.wa16 import (wa16_matmul, wa16_reference, wa16_config, pack_wa16, _wa16_mma_kernel, _slice_operand, _scale_zero,
                                     _x_tile, _x_natural, _operand_order_tile, _pair_tile_out, _counters,
                                     _words_box, _split_for)
from probe_pair import rand_weight, rel, rotated, time_candidate
INTERPRET = os.environ.get("TRITON_INTERPRET", "0") == "1"

@triton.jit
def _tile_out_unrolled(acc, rm, rn, ws_ptr, out_ptr, cnt_ptr, M, N, pid_m, pid_n, pid_k, NSPLIT: tl.constexpr, BM: tl.constexpr,
                       BN: tl.constexpr):
    "As `_pair_tile_out` (split K), but the last program requests the other programs' partial sums all at once and keeps its own."
    omask = (rn[:, None] < N) & (rm[None, :] < M)
    tl.store(ws_ptr + (pid_k * M + rm[None, :]) * N + rn[:, None], acc, mask=omask)
    tl.debug_barrier()
    tile = pid_n * tl.num_programs(0) + pid_m
    done = tl.atomic_add(cnt_ptr + tile, 1, sem="acq_rel")
    if done == NSPLIT - 1:
        for k in tl.static_range(NSPLIT):                       # all loads issued together; its own partial sum is in acc
            acc += tl.load(ws_ptr + (k * M + rm[None, :]) * N + rn[:, None], mask=omask & (rm[None, :] * 0 + pid_k != k), other=0.0, cache_modifier=".cg")
        tl.store(out_ptr + rm[None, :] * N + rn[:, None], acc.to(out_ptr.dtype.element_ty), mask=omask)
        tl.atomic_xchg(cnt_ptr + tile, 0)

@triton.jit
def _x_natural_tma(xd, t, BM: tl.constexpr, BK: tl.constexpr):
    "As the library's `_x_natural` (4-bit codes), the natural [BM, BK] tile by one bulk copy (rows past M zero)."
    return _operand_order_tile(xd.load([tl.program_id(0) * BM, t * BK]), BM, BK, 4)

@triton.jit
def _pair_nh(x_ptr, xd, wd, s_ptr, out_ptr, ws_ptr, cnt_ptr, M, N, K, stride_xm, tiles_per_split, GROUP: tl.constexpr,
             SPLIT: tl.constexpr, BM: tl.constexpr, BN: tl.constexpr, BK: tl.constexpr, NH: tl.constexpr, ASM: tl.constexpr,
             UPCAST: tl.constexpr, XLOAD: tl.constexpr = 0, NSPLIT: tl.constexpr = 0):
    """4-bit symmetric codes, bf16 inputs: NH (1 or 2) transposed tiles [BN, BM] per program, all from one input tile per slice.
    XLOAD 0: the input gathered in the operand's order (as the library); 1: read in its own order, permuted in registers;
    2: the same by a bulk copy. NSPLIT > 0 (NH 1 only): the split-K sum by `_tile_out_unrolled`."""
    KWT: tl.constexpr = BK // 8
    JL: tl.constexpr = KWT // 4
    pid_m, pid_n, pid_k = tl.program_id(0), tl.program_id(1), tl.program_id(2)
    rm = pid_m * BM + tl.arange(0, BM)
    rn0 = pid_n * NH * BN + tl.arange(0, BN)                    # [BN] outputs of the first tile
    rn1 = rn0 + BN                                              # [BN] of the second (NH = 2)
    t0 = pid_k * tiles_per_split
    t1 = tl.minimum(t0 + tiles_per_split, (K + BK - 1) // BK)
    c = tl.arange(0, BK)
    kc = 8 * ((c // 2) % 4 * JL + c // 32) + (c // 8) % 4 + 4 * (c % 2)   # as in _wa16_mma_kernel
    acc0 = tl.zeros((BN, BM), dtype=tl.float32)
    acc1 = tl.zeros((BN, BM), dtype=tl.float32)
    s0n, z0n = _scale_zero(s_ptr, s_ptr, t0, t1, rn0, N, BK, GROUP, False)
    s1n, z1n = _scale_zero(s_ptr, s_ptr, t0, t1, rn1, N, BK, GROUP, False)
    for t in range(t0, t1):
        if XLOAD == 0: xt = _x_tile(x_ptr, t, rm, c, kc, M, K, stride_xm, BK, True, False)   # [BK, BM], once for both tiles
        elif XLOAD == 1: xt = _x_natural(x_ptr, t, rm, M, K, stride_xm, BM, BK, True, 4)
        else: xt = _x_natural_tma(xd, t, BM, BK)
        w0 = tl.trans(wd.load([t * KWT, pid_n * NH * BN]))
        s0, z0 = s0n, z0n
        s0n, z0n = _scale_zero(s_ptr, s_ptr, t + 1, t1, rn0, N, BK, GROUP, False)
        v0 = _slice_operand(w0, BN, KWT, False, ASM)
        if UPCAST: acc0 += tl.dot(v0.to(tl.float32) - (z0 + 128.0)[:, None], xt.to(tl.float32)) * s0[:, None]
        else: acc0 += tl.dot(v0 - (z0 + 128.0).to(tl.bfloat16)[:, None], xt) * s0[:, None]
        if NH == 2:
            w1 = tl.trans(wd.load([t * KWT, pid_n * NH * BN + BN]))
            s1, z1 = s1n, z1n
            s1n, z1n = _scale_zero(s_ptr, s_ptr, t + 1, t1, rn1, N, BK, GROUP, False)
            v1 = _slice_operand(w1, BN, KWT, False, ASM)
            if UPCAST: acc1 += tl.dot(v1.to(tl.float32) - (z1 + 128.0)[:, None], xt.to(tl.float32)) * s1[:, None]
            else: acc1 += tl.dot(v1 - (z1 + 128.0).to(tl.bfloat16)[:, None], xt) * s1[:, None]
    if NSPLIT > 0: _tile_out_unrolled(acc0, rm, rn0, ws_ptr, out_ptr, cnt_ptr, M, N, pid_m, pid_n, pid_k, NSPLIT, BM, BN)
    else: _pair_tile_out(acc0, rm, rn0, ws_ptr, out_ptr, s_ptr, cnt_ptr, M, N, N, pid_m, pid_n * NH, pid_k, SPLIT, False, BM, BN)
    if NH == 2:
        _pair_tile_out(acc1, rm, rn1, ws_ptr, out_ptr, s_ptr, cnt_ptr, M, N, N, pid_m, pid_n * NH + 1, pid_k, SPLIT, False, BM, BN)

class NH:
    "A prepared `_pair_nh` call (descriptor made once per weight)."
    def __init__(self, w, nh=2, BN=128, split=2, stages=3, warps=4, xload=0, unrolled=False):
        self.w, self.nh, self.BN, self.stages, self.warps, self.BM, self.BK = w, nh, BN, stages, warps, 16, 128
        self.xload, self.unrolled = xload, unrolled
        k_tiles = w.K // self.BK
        self.tps = -(-k_tiles // split); self.split = -(-k_tiles // self.tps)
        self.wd = _words_box(w.qw, self.BK // 8, BN)
    def __call__(self, x):
        w, M = self.w, x.shape[0]
        out = torch.empty(M, w.N, dtype=x.dtype, device=x.device)
        grid = (-(-M // self.BM), -(-w.N // (self.nh * self.BN)), self.split)
        ws = torch.empty(self.split, M, w.N, dtype=torch.float32, device=x.device) if self.split > 1 else out
        cnt = _counters(x.device, grid[0] * grid[1] * self.nh) if self.split > 1 else out
        xd = _words_box(x, self.BM, self.BK) if self.xload == 2 else None     # (any 2-D tensor: a [BM, BK] box of x)
        nsplit = self.split if self.unrolled and self.split > 1 else 0
        _pair_nh[grid](x, xd, self.wd, w.scales, out, ws, cnt, M, w.N, w.K, x.stride(0), self.tps, GROUP=w.group, SPLIT=self.split > 1,
                       BM=self.BM, BN=self.BN, BK=self.BK, NH=self.nh, ASM=not INTERPRET, UPCAST=INTERPRET, XLOAD=self.xload, NSPLIT=nsplit,
                       num_warps=self.warps, num_stages=self.stages)
        return out
    def __repr__(self):
        return (f"nh{self.nh} BN{self.BN} split{self.split} st{self.stages} w{self.warps}" + ["", " xnat", " xnat-tma"][self.xload]
                + " unrolled-sum" * self.unrolled)

class Lib:
    "The library's pair kernel at the heuristic's tiling, launched directly, with ablations (timing only when stride0/nopart)."
    def __init__(self, w, M, stride0=False, nopart=False, sms=132):
        self.w, self.stride0, self.nopart = w, stride0, nopart
        self.cfg = cfg = wa16_config(M, w.N, w.K, w.group, sms)
        assert cfg.mma and cfg.tma and not cfg.xperm, cfg
        k_tiles = -(-w.K // cfg.BK)
        self.tps = -(-k_tiles // cfg.split); self.split = -(-k_tiles // self.tps)
        self.wd = _words_box(w.qw, cfg.BK // 8, cfg.BN)
    def __call__(self, x):
        w, cfg, M = self.w, self.cfg, x.shape[0]
        out = torch.empty(M, w.N, dtype=x.dtype, device=x.device)
        grid = (-(-M // cfg.BM), -(-w.N // cfg.BN), self.split)
        part = self.split > 1 and not self.nopart
        ws = torch.empty(self.split, M, w.N, dtype=torch.float32, device=x.device) if part else out
        cnt = _counters(x.device, grid[0] * grid[1]) if part else out
        _wa16_mma_kernel[grid](x, w.qw, self.wd, w.scales, w.scales, w.scales, out, ws, cnt, M, w.N, w.K, 0 if self.stride0 else x.stride(0),
                               out.stride(0), *w.qw.stride(), self.tps, GROUP=w.group, HAS_Z=False, HAS_BIAS=False, FP16=False,
                               SPLIT=part, BM=cfg.BM, BN=cfg.BN, BK=cfg.BK, EVEN=w.N % cfg.BN == 0 and w.K % cfg.BK == 0,
                               ASM=not INTERPRET, UPCAST=INTERPRET, XPERM=False, TMA=True, BITS=4, num_warps=cfg.num_warps,
                               num_stages=cfg.num_stages)
        return out
    def __repr__(self): return "library kernel direct" + " stride0" * self.stride0 + " nopart" * self.nopart

def cpu_check():
    torch.manual_seed(0)
    for K, N, M in [(512, 512, 16), (512, 384, 5)]:               # 384: the last program's second tile partly past N
        w = rand_weight(K, N, "cpu")
        x = torch.randn(M, K, dtype=torch.bfloat16)
        ref = wa16_reference(x.double(), w)
        for nh, split, xload, unrolled in itertools.product([1, 2], [1, 2], [0, 1, 2], [False, True]):
            if unrolled and nh == 2: continue
            f = NH(w, nh, BN=64, split=split, xload=xload, unrolled=unrolled)
            e = rel(f(x), ref)
            print(f"K={K} N={N} M={M} {f!r}: rel err {e:.1e}"); assert e < 1e-2

def main(a):
    from bench_wa16 import graph_time
    sms = torch.cuda.get_device_properties(0).multi_processor_count
    print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}, triton {triton.__version__}", flush=True)
    torch.manual_seed(0)
    for K, N in a.shapes:
        ws, W = rotated(K, N)
        for M in a.M:
            x = torch.randn(M, K, device="cuda", dtype=torch.bfloat16)
            ref = wa16_reference(x.double(), ws[0])
            t_bf = graph_time(lambda i: F.linear(x, W[i]), len(W))
            t_lib = graph_time(lambda i: wa16_matmul(x, ws[i]), len(ws))
            cfg = wa16_config(M, N, K, 128, sms)
            print(f"K={K} N={N} M={M}: bf16 {t_bf*1e6:7.1f} us | library {t_lib*1e6:7.1f} us ({t_bf/t_lib:.2f}x) {cfg}", flush=True)
            cands = [(Lib, dict(M=M, sms=sms, stride0=s0, nopart=np_)) for s0, np_ in itertools.product([False, True], [False, True])]
            cands += [(NH, dict(nh=1, split=cfg.split, xload=xl, unrolled=u)) for u, xl in itertools.product([False, True], [0, 1, 2])]
            cands += [(NH, dict(nh=2, split=cfg.split))]
            h64 = _split_for(-(-M // 16) * -(-N // 64), K // 128, sms, 16, min_slices=2)     # 64 outputs per program
            cands += [(NH, dict(nh=1, BN=64, split=sp, xload=xl, unrolled=True)) for sp, xl in
                      itertools.product(sorted({max(1, h64 // 2), h64}), [0, 1, 2])]
            for make, kw in cands:
                try: t, name, e = time_candidate(make, kw, ws, x, ref)
                except Exception as ex: print("  failed:", make.__name__, kw, repr(ex)[:300], flush=True); continue
                print(f"    {t*1e6:7.1f} us ({t_bf/t:.2f}x bf16, {t_lib/t:.3f}x library) {name}  err {e:.1e}", flush=True)
            torch.cuda.empty_cache()
        del ws, W; torch.cuda.empty_cache()

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--cpu", action="store_true")
    ap.add_argument("--M", type=int, nargs="*", default=[2, 8, 16])
    ap.add_argument("--shapes", nargs="*", default=["8192x28672", "28672x8192", "4096x14336"])
    a = ap.parse_args()
    a.shapes = [tuple(map(int, s.split("x"))) for s in a.shapes]
    if a.cpu: cpu_check()
    else: main(a)
