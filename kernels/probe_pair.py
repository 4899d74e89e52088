"""Session-6 experiments, side by side in one run: tensor-memory-accelerator (TMA) loads and a folded zero point in the pair
kernel (2-16 rows), a one-row GEMV whose words go through TMA into shared memory, and dequantize-then-cuBLAS for large batches.

    python kernels/probe_pair.py                         # H100: a few minutes
    python kernels/probe_pair.py --only pair --M 16 --shapes 8192x28672
    TRITON_INTERPRET=1 python kernels/probe_pair.py --cpu   # correctness of the variants on the CPU (small shapes)

Variants of the pair kernel (`_pair_probe`, a copy of `_wa16_mma_kernel` for 4-bit symmetric codes with flags):
`tma_w` loads the slice's words with one bulk copy ([KWT, BN] box of the `[KW, N]` words, transposed in shared memory),
`tma_x` loads the input tile the same way, `zfold` multiplies the codes as 128 + q and subtracts (128 + z) times the slice's
input sums after the tensor cores instead of subtracting the zero from every weight. Timed like bench_wa16: CUDA-graph
replays over rotated weight copies, medians; the library's kernel (`wa16_matmul`) and bf16 `F.linear` in the same run.
"""
import argparse, itertools, os, sys
import torch, torch.nn.functional as F
import triton, triton.language as tl
sys.path.insert(0, "."); sys.path.insert(0, "kernels")
from compressnb.kernels.wa16 import (wa16_matmul, wa16_reference, wa16_config, pack_wa16, _slice_operand, _scale_zero, _operand_order,
                                     _counters, _pair_tile_out, _gemv_inputs, _gemv_scale_zero, _gemv_slice1, _gemv_out, _gemv_last, _split_for)
INTERPRET = os.environ.get("TRITON_INTERPRET", "0") == "1"

@triton.jit
def _pair_probe(x_ptr, xd, qw_ptr, wd, s_ptr, xs_ptr, out_ptr, ws_ptr, cnt_ptr, M, N, K, KT, stride_xm, tiles_per_split,
                GROUP: tl.constexpr, SPLIT: tl.constexpr, BM: tl.constexpr, BN: tl.constexpr, BK: tl.constexpr,
                TMA_W: tl.constexpr, TMA_X: tl.constexpr, ZFOLD: tl.constexpr, ASM: tl.constexpr, UPCAST: tl.constexpr,
                PAIR2: tl.constexpr = False):
    KWT: tl.constexpr = BK // 8
    pid_m, pid_n, pid_k = tl.program_id(0), tl.program_id(1), tl.program_id(2)
    rm = pid_m * BM + tl.arange(0, BM)
    rn = pid_n * BN + tl.arange(0, BN)
    t0 = pid_k * tiles_per_split
    t1 = tl.minimum(t0 + tiles_per_split, (K + BK - 1) // BK)
    c = tl.arange(0, BK)
    acc = tl.zeros((BN, BM), dtype=tl.float32)
    s_next, z_next = _scale_zero(s_ptr, s_ptr, t0, t1, rn, N, BK, GROUP, False)
    for t in range(t0, t1, 2 if PAIR2 else 1):                                  # PAIR2: two slices per step (even count)
        if PAIR2:                                                               # (TMA words, gathered input, no zfold)
            wb = tl.trans(wd.load([(t + 1) * KWT, pid_n * BN]))
            sb, zbb = _scale_zero(s_ptr, s_ptr, t + 1, t1, rn, N, BK, GROUP, False)
            xb = tl.load(x_ptr + rm[None, :] * stride_xm + ((t + 1) * BK + c)[:, None], mask=rm[None, :] < M, other=0.0)
            vb = _slice_operand(wb, BN, KWT, False, ASM)
            if UPCAST: pb = tl.dot(vb.to(tl.float32) - (zbb + 128.0)[:, None], xb.to(tl.float32))
            else: pb = tl.dot(vb - (zbb + 128.0).to(tl.bfloat16)[:, None], xb)
            acc += pb * sb[:, None]
        if TMA_W: w = tl.trans(wd.load([t * KWT, pid_n * BN]))                 # [KWT, BN] box -> [BN, KWT]
        else: w = tl.load(qw_ptr + rn[:, None] + (t * KWT + tl.arange(0, KWT))[None, :] * N)
        s, zb = s_next, z_next + 128.0
        s_next, z_next = _scale_zero(s_ptr, s_ptr, t + (2 if PAIR2 else 1), t1, rn, N, BK, GROUP, False)
        if TMA_X: xt = tl.trans(xd.load([pid_m * BM, t * BK]))                 # [BM, BK] box -> [BK, BM], rows >= M zero
        else: xt = tl.load(x_ptr + rm[None, :] * stride_xm + (t * BK + c)[:, None], mask=rm[None, :] < M, other=0.0)
        v = _slice_operand(w, BN, KWT, False, ASM)                              # [BN, BK] bf16 128 + q
        if ZFOLD:
            if UPCAST: part = tl.dot(v.to(tl.float32), xt.to(tl.float32))
            else: part = tl.dot(v, xt)                                          # sum_k (128 + q) x
            xs = tl.load(xs_ptr + rm * KT + t, mask=rm < M, other=0.0)          # [BM] sum_k x of the slice
            acc += (part - zb[:, None] * xs[None, :]) * s[:, None]
        else:
            if UPCAST: part = tl.dot(v.to(tl.float32) - zb[:, None], xt.to(tl.float32))
            else: part = tl.dot(v - zb.to(tl.bfloat16)[:, None], xt)
            acc += part * s[:, None]
    _pair_tile_out(acc, rm, rn, ws_ptr, out_ptr, s_ptr, cnt_ptr, M, N, N, pid_m, pid_n, pid_k, SPLIT, False, BM, BN)

def _desc(t, block):
    from triton.tools.tensor_descriptor import TensorDescriptor
    return TensorDescriptor.from_tensor(t, block)

class Pair:
    "A prepared pair-kernel call: descriptors made once per weight (as a library would cache them)."
    def __init__(self, w, M, BN=64, split=None, stages=3, tma_w=False, tma_x=False, zfold=False, warps=4, pair2=False, sms=132):
        self.warps, self.pair2 = warps, pair2
        self.w, self.M, self.BN, self.stages, self.tma_w, self.tma_x, self.zfold = w, M, BN, stages, tma_w, tma_x, zfold
        self.BM, self.BK = 16, 128
        cfg = wa16_config(M, w.N, w.K, w.group, sms)
        k_tiles = w.K // self.BK
        self.split = split or (cfg.split if cfg.mma else 2)
        self.tps = -(-k_tiles // self.split); self.split = -(-k_tiles // self.tps)
        if pair2: assert tma_w and not zfold and not tma_x and k_tiles % self.split == 0 and self.tps % 2 == 0, "pair2 needs an even slice count"
        self.wd = _desc(w.qw, [self.BK // 8, BN]) if tma_w else None
    def __call__(self, x):
        w, M = self.w, x.shape[0]
        x2 = _operand_order(x, self.BK)                                         # [M, K] in the operand's K order
        xs = x2.view(M, -1, self.BK).float().sum(-1) if self.zfold else x2     # [M, KT] the slices' input sums
        xd = _desc(x2, [self.BM, self.BK]) if self.tma_x else None
        out = torch.empty(M, w.N, dtype=x.dtype, device=x.device)
        grid = (-(-M // self.BM), -(-w.N // self.BN), self.split)
        ws = torch.empty(self.split, M, w.N, dtype=torch.float32, device=x.device) if self.split > 1 else out
        cnt = _counters(x.device, grid[0] * grid[1]) if self.split > 1 else out
        _pair_probe[grid](x2, xd, w.qw, self.wd, w.scales, xs, out, ws, cnt, M, w.N, w.K, w.K // self.BK, x2.stride(0), self.tps,
                          GROUP=w.group, SPLIT=self.split > 1, BM=self.BM, BN=self.BN, BK=self.BK, TMA_W=self.tma_w,
                          TMA_X=self.tma_x, ZFOLD=self.zfold, ASM=not INTERPRET, UPCAST=INTERPRET, PAIR2=self.pair2, num_warps=self.warps,
                          num_stages=self.stages)
        return out
    def __repr__(self):
        return (f"pair BN{self.BN} split{self.split} st{self.stages} w{self.warps}" + " tma_w" * self.tma_w + " tma_x" * self.tma_x +
                " zfold" * self.zfold + " pair2" * self.pair2)

@triton.jit
def _gemv_tma(x_ptr, wd, s_ptr, out_ptr, ws_ptr, cnt_ptr, N, K, tiles_per_split, magic, GROUP: tl.constexpr, SPLIT: tl.constexpr,
              BN: tl.constexpr, BK: tl.constexpr):
    "One row, 4-bit symmetric: each slice's words one TMA box [KWT, BN] into shared memory, Triton's pipeline keeps num_stages of them."
    KWT: tl.constexpr = BK // 8
    pid_n, pid_k = tl.program_id(0), tl.program_id(1)
    rn = pid_n * BN + tl.arange(0, BN)
    t0 = pid_k * tiles_per_split
    t1 = tl.minimum(t0 + tiles_per_split, (K + BK - 1) // BK)
    acc = tl.zeros((BN, KWT), dtype=tl.float32)
    for t in range(t0, t1):
        w = tl.trans(wd.load([t * KWT, pid_n * BN]))                          # [BN, KWT]
        x0, x1, x2, x3, x4, x5, x6, x7 = _gemv_inputs(x_ptr, t, K, KWT, 4, True)
        s, z = _gemv_scale_zero(s_ptr, s_ptr, t, rn, N, 4, BK, GROUP, False)
        acc = _gemv_slice1(w, x0, x1, x2, x3, x4, x5, x6, x7, s, z, acc, magic, 4, True)
    _gemv_out(acc, 0, ws_ptr, out_ptr, s_ptr, rn, 1, N, N, pid_k, SPLIT, False)
    if SPLIT:
        tl.debug_barrier()
        done = tl.atomic_add(cnt_ptr + pid_n, 1, sem="acq_rel")
        if done == tl.num_programs(1) - 1:
            _gemv_last(ws_ptr, out_ptr, s_ptr, rn, 0, 1, N, N, tl.num_programs(1), False)
            tl.atomic_xchg(cnt_ptr + pid_n, 0)

class GemvTMA:
    def __init__(self, w, BN=64, split=None, stages=3, sms=132):
        self.w, self.BN, self.stages, self.BK = w, BN, stages, 128
        k_tiles = w.K // self.BK
        self.split = split or _split_for(-(-w.N // BN), k_tiles, sms, 16, min_slices=4)
        self.tps = -(-k_tiles // self.split); self.split = -(-k_tiles // self.tps)
        self.wd = _desc(w.qw, [self.BK // 8, BN])
    def __call__(self, x):
        w = self.w
        out = torch.empty(1, w.N, dtype=x.dtype, device=x.device)
        ws = torch.empty(self.split, 1, w.N, dtype=torch.float32, device=x.device) if self.split > 1 else out
        cnt = _counters(x.device, -(-w.N // self.BN)) if self.split > 1 else out
        _gemv_tma[(-(-w.N // self.BN), self.split)](x, self.wd, w.scales, out, ws, cnt, w.N, w.K, self.tps, 0x4B000000, GROUP=w.group,
                                                    SPLIT=self.split > 1, BN=self.BN, BK=self.BK, num_warps=4, num_stages=self.stages)
        return out
    def __repr__(self): return f"gemv_tma BN{self.BN} split{self.split} st{self.stages}"

@triton.jit
def _dequant(qw_ptr, s_ptr, w_ptr, N, KW, GROUP: tl.constexpr, BKW: tl.constexpr, BN: tl.constexpr):
    "4-bit symmetric codes [KW, N] words -> bf16 weight [K, N]: (q - 8) * scale."
    rw = tl.program_id(0) * BKW + tl.arange(0, BKW)
    rn = tl.program_id(1) * BN + tl.arange(0, BN)
    m = (rw[:, None] < KW) & (rn[None, :] < N)
    q = tl.load(qw_ptr + rw[:, None] * N + rn[None, :], mask=m, other=0)
    for i in tl.static_range(8):
        k = rw * 8 + i
        s = tl.load(s_ptr + (k // GROUP)[:, None] * N + rn[None, :], mask=m, other=0.0).to(tl.float32)
        v = (((q >> (4 * i)) & 15).to(tl.float32) - 8.0) * s
        tl.store(w_ptr + k[:, None] * N + rn[None, :], v.to(w_ptr.dtype.element_ty), mask=m)

def dequant_mm(x, w, BKW=16, BN=128):
    "Unpack the whole weight to the activations' dtype, then cuBLAS."
    W = torch.empty(w.K, w.N, dtype=x.dtype, device=x.device)
    KW = w.qw.shape[0]
    _dequant[(-(-KW // BKW), -(-w.N // BN))](w.qw, w.scales, W, w.N, KW, GROUP=w.group, BKW=BKW, BN=BN, num_warps=4)
    return x @ W

def rand_weight(K, N, device):
    codes = torch.randint(0, 16, (N, K), dtype=torch.uint8, device=device)
    scales = (torch.rand(N, K // 128, device=device) * 0.02 + 0.001).half()
    return pack_wa16(codes, scales, None, 4, 128)

def rel(y, ref): return ((y.double() - ref).norm() / ref.norm()).item()

def rotated(K, N):
    "4-bit weights to rotate through (together over four times the L2 cache: no call finds its weight there), and bf16 ones likewise."
    from bench_wa16 import copies
    w0 = rand_weight(K, N, "cuda")
    ws = [w0] + [rand_weight(K, N, "cuda") for _ in range(copies(w0.nbytes) - 1)]
    return ws, [torch.randn(N, K, device="cuda", dtype=torch.bfloat16) for _ in range(copies(N * K * 2))]

def time_candidate(make, kw, ws, x, ref):
    "Seconds per call of `make(w, **kw)` over the rotated weights `ws`, its name and its relative error on the first weight."
    from bench_wa16 import graph_time
    fs = [make(w, **kw) for w in ws]
    return graph_time(lambda i: fs[i](x), len(ws)), repr(fs[0]), rel(fs[0](x), ref)

def cpu_check():
    torch.manual_seed(0)
    w = rand_weight(512, 192, "cpu")
    for M in (2, 16):
        x = torch.randn(M, 512, dtype=torch.bfloat16)
        ref = wa16_reference(x.double(), w)
        for tma_w, zfold, split in itertools.product([False], [False, True], [None, 2]):
            e = rel(Pair(w, M, split=split, zfold=zfold)(x), ref)
            print(f"M={M} zfold={zfold} split={split}: rel err {e:.1e}"); assert e < 1e-2
        e = rel(Pair(w, M, split=2, tma_w=True, pair2=True)(x), ref)
        print(f"M={M} pair2: rel err {e:.1e}"); assert e < 1e-2
    x = torch.randn(2, 512, dtype=torch.bfloat16)
    e = rel(dequant_mm(x, w), wa16_reference(x.double(), w)); print(f"dequant_mm: rel err {e:.1e}"); assert e < 1e-2

def main(a):
    from bench_wa16 import graph_time
    sms = torch.cuda.get_device_properties(0).multi_processor_count
    print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}, triton {triton.__version__}", flush=True)
    torch.manual_seed(0)
    for K, N in a.shapes:
        ws, W = rotated(K, N)
        w0, R = ws[0], len(ws)
        for M in a.M:
            if M > 16 and "dequant" not in a.only or M <= 16 and M > 1 and "pair" not in a.only or M == 1 and "gemv" not in a.only:
                continue
            x = torch.randn(M, K, device="cuda", dtype=torch.bfloat16)
            ref = wa16_reference(x.double(), w0)
            t_bf = graph_time(lambda i: F.linear(x, W[i]), len(W))
            t_lib = graph_time(lambda i: wa16_matmul(x, ws[i]), R)
            print(f"K={K} N={N} M={M}: bf16 {t_bf*1e6:7.1f} us | library {t_lib*1e6:7.1f} us ({t_bf/t_lib:.2f}x) "
                  f"{wa16_config(M, N, K, 128, sms)}", flush=True)
            if M == 1:
                h = _split_for(-(-N // 64), K // 128, sms, 16, min_slices=4)
                cands = [(GemvTMA, dict(BN=BN, split=sp, stages=st)) for BN, sp, st in
                         itertools.product([64, 128], sorted({h, 2 * h}), [2, 3, 4])]
            elif M <= 16 and a.pair2:                                 # two slices per loop step
                cfg = wa16_config(M, N, K, 128, sms)
                cands = [(Pair, dict(M=M, BN=BN, split=sp, stages=st, tma_w=True, pair2=p2)) for BN, sp, st, p2 in
                         itertools.product([64, 128], sorted({cfg.split, 2 * cfg.split}), [2, 3], [False, True])]
            elif M <= 16 and a.wide:                                  # around session 6's first winner (TMA words)
                cands = [(Pair, dict(M=M, BN=BN, split=sp, stages=st, tma_w=True, tma_x=tx, warps=wp)) for BN, sp, st, tx, wp in
                         itertools.product([64, 128, 256], [2, 4, 8, 16], [2, 3, 4], [False, True], [4, 8])
                         if (BN == 256) <= (wp == 8) and (st == 3 or BN == 128 and wp == 4 and not tx)]
            elif M <= 16:
                cfg = wa16_config(M, N, K, 128, sms)
                cands = [(Pair, dict(M=M, BN=64, split=sp, stages=st, tma_w=tw, tma_x=tx, zfold=zf)) for sp, st, tw, tx, zf in
                         itertools.product(sorted({cfg.split, 2 * cfg.split}), [3, 4], [False, True], [False, True], [False, True])]
                cands += [(Pair, dict(M=M, BN=128, split=sp, stages=3, tma_w=True, tma_x=tx, zfold=zf)) for sp, tx, zf in
                          itertools.product(sorted({cfg.split, 2 * cfg.split}), [False, True], [False, True])]
            else:
                cands = [("dequant", dict())]
            res = []
            for make, kw in cands:
                try:
                    if make == "dequant": t, _, e = time_candidate(lambda w: (lambda x: dequant_mm(x, w)), {}, ws, x, ref); name = "dequant + cuBLAS"
                    else: t, name, e = time_candidate(make, dict(kw, sms=sms), ws, x, ref)
                except Exception as ex: print("  failed:", make, kw, repr(ex)[:300], flush=True); continue
                res.append((t, name, e))
            for t, name, e in sorted(res)[:a.top]:
                print(f"    {t*1e6:7.1f} us ({t_bf/t:.2f}x bf16, {t_lib/t:.3f}x library) {name}  err {e:.1e}", flush=True)
            torch.cuda.empty_cache()
        del ws, W; torch.cuda.empty_cache()

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--cpu", action="store_true")
    ap.add_argument("--M", type=int, nargs="*", default=[1, 2, 16, 128, 256, 1024, 4096])
    ap.add_argument("--shapes", nargs="*", default=["8192x28672", "28672x8192", "4096x14336"])
    ap.add_argument("--only", nargs="*", default=["pair", "gemv", "dequant"])
    ap.add_argument("--top", type=int, default=8)
    ap.add_argument("--pair2", action="store_true", help="pair: two slices per loop step against one")
    ap.add_argument("--wide", action="store_true", help="pair: TMA words with more tilings, warps and pipeline depths")
    a = ap.parse_args()
    a.shapes = [tuple(map(int, s.split("x"))) for s in a.shapes]
    if a.cpu: cpu_check()
    else: main(a)
