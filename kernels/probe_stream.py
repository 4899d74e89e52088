"""How fast can a Triton program read the packed codes, with no arithmetic? The ceiling of each storage layout and tiling.

    python kernels/probe_stream.py                        # H100: about a minute
    python kernels/probe_stream.py --shapes 8192x28672

Each candidate is a kernel that reads the `[KW, N]` int32 words of a 4-bit K x N weight exactly as the W4A16 kernels do
(program = BN outputs x a range of K slices of KWT words, grid `(N/BN, split)`), XORs them into a register tile and writes one
word per output: the bytes moved are the codes' and nothing else. Layouts: `wn` (`[words, N]`, each word row's outputs
adjacent: the kernels' layout today), `nw` (`[N, words]`, QuantLinear's storage), `blkB` (tiles of B outputs stored one
after another, `block_words`: a program's whole K range is one contiguous run). `flat` reads the buffer as one contiguous
array in 16 KB blocks (the read ceiling). Timed like bench_wa16: CUDA-graph replays over rotated copies, medians.
"""
import argparse, itertools, sys
import torch, triton, triton.language as tl
sys.path.insert(0, ".")
sys.path.insert(0, "kernels")
from bench_wa16 import graph_time, copies, copy_bandwidth

@triton.jit
def _read_tiles(q_ptr, out_ptr, KW, stride_qk, stride_qn, stride_qt, tps, LB: tl.constexpr, BN: tl.constexpr, KWT: tl.constexpr):
    pid_n, pid_k = tl.program_id(0), tl.program_id(1)
    rn = pid_n * BN + tl.arange(0, BN)
    cn = (rn // LB) * stride_qt + (rn % LB) * stride_qn
    t0 = pid_k * tps
    t1 = tl.minimum(t0 + tps, KW // KWT)
    acc = tl.zeros((BN, KWT), dtype=tl.int32)
    for t in range(t0, t1):
        rw = t * KWT + tl.arange(0, KWT)
        acc ^= tl.load(q_ptr + cn[:, None] + rw[None, :] * stride_qk)
    tl.store(out_ptr + (pid_k * tl.num_programs(0) + pid_n) * BN + tl.arange(0, BN), tl.xor_sum(acc, axis=1))

@triton.jit
def _read_tma(desc, out_ptr, KW, tps, BN: tl.constexpr, KWT: tl.constexpr, BLOCKED: tl.constexpr):
    "The same reads through the tensor memory accelerator: one bulk copy of a [KWT, BN] box per slice (desc over [rows, cols])."
    pid_n, pid_k = tl.program_id(0), tl.program_id(1)
    t0 = pid_k * tps
    t1 = tl.minimum(t0 + tps, KW // KWT)
    acc = tl.zeros((KWT, BN), dtype=tl.int32)
    for t in range(t0, t1):
        if BLOCKED: acc ^= desc.load([pid_n * KW + t * KWT, 0])       # [NB * KW, BN] rows of one tile after another
        else: acc ^= desc.load([t * KWT, pid_n * BN])                 # [KW, N]
    tl.store(out_ptr + (pid_k * tl.num_programs(0) + pid_n) * BN + tl.arange(0, BN), tl.xor_sum(acc, axis=0))

@triton.jit
def _read_compute(q_ptr, out_ptr, KW, N, tps, BN: tl.constexpr, KWT: tl.constexpr, OPS: tl.constexpr, PREFETCH: tl.constexpr):
    "`[words, N]` reads plus OPS dependent fp32 FMAs per word (OPS/8 per 4-bit weight); PREFETCH: the next slice requested before them."
    pid_n, pid_k = tl.program_id(0), tl.program_id(1)
    rn = pid_n * BN + tl.arange(0, BN)
    t0 = pid_k * tps
    t1 = tl.minimum(t0 + tps, KW // KWT)
    acc = tl.zeros((BN, KWT), dtype=tl.float32)
    w = tl.load(q_ptr + rn[:, None] + (t0 * KWT + tl.arange(0, KWT))[None, :] * N)
    for t in range(t0, t1):
        if PREFETCH:
            cur = w
            w = tl.load(q_ptr + rn[:, None] + (tl.minimum(t + 1, t1 - 1) * KWT + tl.arange(0, KWT))[None, :] * N)
        else: cur = tl.load(q_ptr + rn[:, None] + (t * KWT + tl.arange(0, KWT))[None, :] * N)
        v = (cur & 0x007FFFFF | 0x3F800000).to(tl.float32, bitcast=True)     # a float in [1, 2) from each word
        for i in tl.static_range(OPS): acc = acc * v + 0.5                   # OPS FMAs, each waiting for the last
    tl.store(out_ptr + (pid_k * tl.num_programs(0) + pid_n) * BN + tl.arange(0, BN), tl.sum(acc, axis=1))

def probe_compute(K, N, R):
    "How much arithmetic per word the read pattern hides, with and without requesting the next slice first."
    KW, nbytes = K // 8, K * N // 2
    qs = [torch.randint(-2**31, 2**31 - 1, (KW, N), dtype=torch.int32, device="cuda") for _ in range(R)]
    print(f"K={K} N={N}: reads + arithmetic (BN 64, KWT 16, 4 warps)", flush=True)
    for split, ops, pre in itertools.product([2, 4, 8], [0, 8, 16, 24, 32], [False, True]):
        tps = -(-(KW // 16) // split)
        out = torch.empty(split * N, dtype=torch.float32, device="cuda")
        t = graph_time(lambda i: _read_compute[(N // 64, split)](qs[i], out, KW, N, tps, BN=64, KWT=16, OPS=ops, PREFETCH=pre, num_warps=4), R)
        print(f"  split {split} FMAs/weight {ops / 8:4.2f} prefetch {pre!s:5}: {t * 1e6:6.1f} us {nbytes / t / 1e12:.2f} TB/s", flush=True)
    del qs; torch.cuda.empty_cache()

@triton.jit
def _l2_prefetch(ptr, nbytes: tl.constexpr):
    "One bulk prefetch of nbytes from ptr into L2, issued by thread 0 of the program (the TMA engine; sm_90 `UBLKPF.L2`)."
    return tl.inline_asm_elementwise(
        "{ .reg .pred p; .reg .u32 t; mov.u32 t, %tid.x; setp.eq.u32 p, t, 0; "
        f"@p cp.async.bulk.prefetch.L2.global [$1], {nbytes}; mov.u32 $0, 0; }}",
        "=r,l", [ptr], dtype=tl.int32, is_pure=False, pack=1)

@triton.jit
def _read_flat(q_ptr, out_ptr, n, BLOCK: tl.constexpr, ITERS: tl.constexpr, PREFETCH: tl.constexpr = False):
    "ITERS blocks of BLOCK words per program; PREFETCH: the program's whole range first requested into L2 by one bulk prefetch."
    pid = tl.program_id(0)
    if PREFETCH: _l2_prefetch(q_ptr + pid * ITERS * BLOCK, BLOCK * ITERS * 4)
    acc = tl.zeros((BLOCK,), dtype=tl.int32)
    for i in range(ITERS):
        offs = (pid * ITERS + i) * BLOCK + tl.arange(0, BLOCK)
        acc ^= tl.load(q_ptr + offs, mask=offs < n, other=0)
    tl.store(out_ptr + pid, tl.xor_sum(acc, axis=0))

def layouts(K, N):
    "name -> function making a random word tensor and its (stride_qk, stride_qn, stride_qt, LB given BN)."
    KW = K // 8
    def wn(): q = torch.randint(-2**31, 2**31 - 1, (KW, N), dtype=torch.int32, device="cuda"); return q, lambda BN: (N, 1, BN, BN)
    def nw(): q = torch.randint(-2**31, 2**31 - 1, (N, KW), dtype=torch.int32, device="cuda"); return q, lambda BN: (1, KW, BN * KW, BN)
    def blk(B):
        def f(): q = torch.randint(-2**31, 2**31 - 1, (N // B, KW, B), dtype=torch.int32, device="cuda"); return q, lambda BN: (B, 1, KW * B, B)
        return f
    return {"wn": wn, "nw": nw, "blk64": blk(64), "blk128": blk(128)}

def probe_tma(K, N, R, res):
    from triton.tools.tensor_descriptor import TensorDescriptor
    KW = K // 8
    for blocked in (False, True):
        qs = [torch.randint(-2**31, 2**31 - 1, (KW, N), dtype=torch.int32, device="cuda") for _ in range(R)]
        for BN, KWT, split, (warps, stages) in itertools.product([64, 128], [16, 32], [2, 4, 8], [(4, 1), (4, 3), (4, 4), (8, 3)]):
            descs = [TensorDescriptor.from_tensor(q.view(-1, BN) if blocked else q, [KWT, BN]) for q in qs]   # blocked: B = BN
            tps = -(-(KW // KWT) // split)
            out = torch.empty(split * N, dtype=torch.int32, device="cuda")
            grid = (N // BN, split)
            try: t = graph_time(lambda i: _read_tma[grid](descs[i], out, KW, tps, BN=BN, KWT=KWT, BLOCKED=blocked,
                                                          num_warps=warps, num_stages=stages), R)
            except Exception as e: print("  failed tma", blocked, BN, KWT, split, warps, stages, repr(e)[:300]); continue
            res.append((t, "tma-blk" if blocked else "tma-wn", BN, KWT, split, warps, stages))
        del qs; torch.cuda.empty_cache()

def probe(K, N, bw, fast=False, tma_only=False):
    KW, nbytes = K // 8, K * N // 2
    R = copies(nbytes)
    res = []
    probe_tma(K, N, R, res)
    for name, make in ({} if tma_only else layouts(K, N)).items():
        qs = [make() for _ in range(R)]
        for BN, KWT, split, (warps, stages) in itertools.product([64, 128], [16, 32], [2, 4, 8], [(4, 1), (4, 3), (8, 1)]):
            if fast and (warps, stages) != (4, 1): continue
            tps = -(-(KW // KWT) // split)
            out = torch.empty(split * N, dtype=torch.int32, device="cuda")
            grid = (N // BN, split)
            def run(i):
                q, st = qs[i]
                _read_tiles[grid](q, out, KW, *st(BN)[:3], tps, LB=st(BN)[3], BN=BN, KWT=KWT, num_warps=warps, num_stages=stages)
            try: t = graph_time(run, R)
            except Exception as e: print("  failed", name, BN, KWT, split, warps, stages, repr(e)[:150]); continue
            res.append((t, name, BN, KWT, split, warps, stages))
        del qs; torch.cuda.empty_cache()
    flats = [torch.randint(-2**31, 2**31 - 1, (KW * N,), dtype=torch.int32, device="cuda") for _ in range(R)]
    for BLOCK, ITERS, warps in itertools.product([2048, 4096], [4, 16], [4, 8]):
        out = torch.empty(-(-KW * N // (BLOCK * ITERS)), dtype=torch.int32, device="cuda")
        t = graph_time(lambda i: _read_flat[(out.numel(),)](flats[i], out, KW * N, BLOCK=BLOCK, ITERS=ITERS, num_warps=warps), R)
        res.append((t, "flat", BLOCK, ITERS, 1, warps, 1))
    del flats; torch.cuda.empty_cache()
    print(f"K={K} N={N}: {nbytes / 1e6:.1f} MB of codes; copy bandwidth {bw / 1e12:.2f} TB/s (read + write)", flush=True)
    print("| layout | BN | KWT | split | warps | stages | us | TB/s | fraction of copy bandwidth |")
    print("|---|---|---|---|---|---|---|---|---|")
    best = {}
    for r in sorted(res):
        best.setdefault(r[1], []).append(r)
    for name, rs in best.items():
        for t, n, BN, KWT, split, warps, stages in rs[:4]:
            print(f"| {n} | {BN} | {KWT} | {split} | {warps} | {stages} | {t * 1e6:.1f} | {nbytes / t / 1e12:.2f} | {nbytes / t / bw:.2f} |")
    print("the kernels' tiling (BN 64, KWT 16, 4 warps, 1 stage), per layout and split:")
    for t, n, BN, KWT, split, warps, stages in sorted(res, key=lambda r: (r[1], r[4])):
        if (BN, KWT, warps, stages) == (64, 16, 4, 1) and n != "flat" and not n.startswith("tma"):
            print(f"  {n:7s} split {split}: {t * 1e6:6.1f} us {nbytes / t / 1e12:.2f} TB/s")
    print(flush=True)

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--shapes", nargs="*", default=["8192x28672", "28672x8192", "4096x14336"])
    ap.add_argument("--fast", action="store_true", help="4 warps, 1 stage only")
    ap.add_argument("--tma-only", action="store_true", help="only the TMA reads (and the flat ceiling)")
    ap.add_argument("--compute", action="store_true", help="only reads plus synthetic arithmetic (does prefetching hide it?)")
    a = ap.parse_args()
    if not torch.cuda.is_available(): sys.exit("probe_stream: needs a CUDA GPU")
    bw = copy_bandwidth()
    print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}, triton {triton.__version__}", flush=True)
    for s in a.shapes:
        K, N = map(int, s.split("x"))
        if a.compute: probe_compute(K, N, copies(K * N // 2))
        else: probe(K, N, bw, a.fast, a.tma_only)
