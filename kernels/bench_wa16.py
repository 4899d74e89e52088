"""W4A16 / W8A16 kernels against bf16 `F.linear` on the GPU, measured side by side in one run.

    python kernels/bench_wa16.py                 # the table for kernels/RESULTS.md (H100: about 3 minutes)
    python kernels/bench_wa16.py --tune          # measure every shape's configurations per row bucket, as a cold start does
    python kernels/bench_wa16.py --tune --write-defaults   # ... and ship this GPU's choices with compressnb
    python kernels/bench_wa16.py --vary maxnreg=128   # the chosen tiling against variants of it, side by side
    python kernels/bench_wa16.py --vary BN=64 --M 1 --prelude   # ... each call after a copy into its input (a foreign kernel first)
    python kernels/bench_wa16.py --peer torchao  # torchao's int4 weight-only path, bf16 and ours, same shapes, batch 1 and 16
    python kernels/bench_wa16.py --check         # correctness on the GPU against the reference, then exit (--quick: a subset;
                                                 #   --bits 8 --M 17 40 100 128: only those; --jobs 8: in 8 processes)

Timing: each measured call runs inside a CUDA graph that calls it at least 32 times, on R different weight
copies in turn (R chosen so that the copies together exceed four times the L2 cache, so no call finds its weight in L2);
the replays run back to back, each timed by CUDA events, and the median replay is divided by the calls in it. The table
times bf16 and ours in five alternating rounds and gives each one's median and the median of the per-round ratios (long
tensor-core-bound calls drift with the clocks: same-run bf16 times of one product varied by 15% between methods). A graph
of only R calls timed with `triton.testing.do_bench`, which zeroes a 256 MB buffer before each replay, would charge each
call several microseconds that are not the kernel's (the dirty L2 lines the zeroing leaves, the graph's start):
`flushed_graph_time` measures that way, for comparison.
Bytes moved: the weight (codes + scales) + input + output, once each.
The floor is those bytes over the device-to-device copy bandwidth measured at the start of the same run.
"""
import argparse, itertools, math, statistics, sys, time
from dataclasses import replace
import torch, torch.nn.functional as F
import triton
sys.path.insert(0, ".")
from compressnb.kernels.wa16 import (WA16Config, pack_wa16, wa16_matmul, wa16_reference, wa16_config, wa16_candidates, wa16_dequantize,
                                     wa16_reference_weight, ROW_BUCKETS, _split_at_most, _split_for, _tma_ok, _balanced_programs)

SHAPES = [(4096, 4096), (4096, 14336), (14336, 4096), (8192, 8192), (8192, 28672), (28672, 8192)]   # (K, N)
BATCHES = [1, 2, 4, 8, 16, 32, 64, 128, 256, 1024, 4096]

def copy_bandwidth() -> float:
    "Bytes/s of a large device-to-device copy, counting bytes read plus bytes written."
    a = torch.empty(2**30, dtype=torch.uint8, device="cuda"); b = torch.empty_like(a)
    t = triton.testing.do_bench(lambda: b.copy_(a), warmup=50, rep=300, return_mode="median") / 1e3
    return 2 * a.numel() / t

CALLS = 32                          # calls per timed graph, at least

def _graph(fn, n_inputs:int, calls:int) -> tuple[torch.cuda.CUDAGraph, int]:
    "A CUDA graph of n >= `calls` calls `fn(i % n_inputs)`, whole rotations (each i run once beforehand: compiles, allocations); n."
    calls = n_inputs * math.ceil(calls / n_inputs)
    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s):
        for i in range(n_inputs): fn(i)
    torch.cuda.current_stream().wait_stream(s)
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g):
        for i in range(calls): fn(i % n_inputs)
    return g, calls

def graph_time(fn, n_inputs:int, calls:int=CALLS, reps:int=30) -> float:
    "Seconds per call of `fn(i)`, i over n_inputs rotated weight copies: >= `calls` calls per graph, replays back to back, median."
    g, n = _graph(fn, n_inputs, calls)
    for _ in range(3): g.replay()
    return _replay_median(g, reps) / 1e3 / n

def _replay_median(g:torch.cuda.CUDAGraph, reps:int) -> float:
    "Median milliseconds of `reps` back-to-back replays of g."
    ev = [torch.cuda.Event(enable_timing=True) for _ in range(reps + 1)]
    ev[0].record()
    for i in range(reps):
        g.replay(); ev[i + 1].record()
    torch.cuda.synchronize()
    return statistics.median(ev[i].elapsed_time(ev[i + 1]) for i in range(reps))

def paired_time(fa, na:int, fb, nb:int, rounds:int=5, reps:int=10, calls:int=CALLS) -> tuple[float, float, float]:
    """Seconds per call of fa and of fb (as `graph_time`), measured in alternating rounds, and the median over rounds of
    their ratio a/b: a slow drift of the GPU's clocks (long tensor-core-bound calls) then moves both sides of each ratio."""
    (ga, n_a), (gb, n_b) = _graph(fa, na, calls), _graph(fb, nb, calls)
    for _ in range(2): ga.replay(); gb.replay()
    ta, tb = [], []
    for _ in range(rounds):
        ta.append(_replay_median(ga, reps) / 1e3 / n_a); tb.append(_replay_median(gb, reps) / 1e3 / n_b)
    return statistics.median(ta), statistics.median(tb), statistics.median(a / b for a, b in zip(ta, tb))

def flushed_graph_time(fn, n_inputs:int) -> float:
    "One call per weight copy in the graph, L2 flushed (a 256 MB buffer zeroed) by do_bench before each replay (for comparison)."
    g, _ = _graph(fn, n_inputs, n_inputs)
    return triton.testing.do_bench(g.replay, warmup=10, rep=100, return_mode="median") / 1e3 / n_inputs

def copies(nbytes:int) -> int:
    l2 = getattr(torch.cuda.get_device_properties(0), "L2_cache_size", 50 * 2**20)
    return max(2, min(64, math.ceil(4 * l2 / nbytes)))

N_MAJOR = False                     # the kernels' layout: [words, N], each word row's outputs adjacent (--n-major: the other)

def random_weight(K, N, bits=4, group=128, n_major=None, zeros=None):
    "Random codes and scales; zeros: None (symmetric), 'int' (asymmetric, integer zeros) or 'frac' (non-integer zeros)."
    codes = torch.randint(0, 2**bits, (N, K), dtype=torch.uint8, device="cuda")
    scales = (torch.rand(N, K // group, device="cuda") * 0.02 + 0.001).half()
    n_major = N_MAJOR if n_major is None else n_major
    z = None if zeros is None else torch.randint(0, 2**bits, (N, K // group), device="cuda").half()
    if zeros == "frac": z = z + 0.5
    return pack_wa16(codes, scales, z, bits, group, n_major=n_major)

FORCED = lambda M, bk: [WA16Config(16, 128, bk, 1, mma=True), WA16Config(16, 64, 64, 3, mma=True, xperm=True),   # the pair kernel's
    WA16Config(32 if M <= 32 else 64, 256, bk, 2, 8, mma=True), WA16Config(64, 128, bk, 4, mma=True, xperm=True),   # tilings that
    WA16Config(16, 128, bk, 2, mma=True, xperm=True, tma=True), WA16Config(16, 64, 64, 3, mma=True, tma=True),      # the search
    WA16Config(32, 128, bk, 2, mma=True, tma=True), WA16Config(32, 64, bk, 2, mma=True, xperm=True),                # may not pick
    WA16Config(16, 128, bk, 2, mma=True, tma=True, xnat=True), WA16Config(64, 64, bk, 3, mma=True, xnat=True),
    WA16Config(64, 128, bk, 1, 8, mma=True, xperm=True)]                                                           # (65-256 rows)

def balanced_forced(M, N, K, bk):
    "Balanced grids (one row tile, up to 16 rows): 2 or 3 parts per tile, and the library's rule for this GPU."
    if M > 16: return []
    T, sms = -(-N // 128), torch.cuda.get_device_properties(0).multi_processor_count
    return [WA16Config(16, 128, bk, mma=True, tma=True, xnat=True, balanced=2 * T + T // 3),
            WA16Config(16, 128, bk, mma=True, tma=True, xnat=True, balanced=_balanced_programs(T, -(-K // bk), sms))]

def check(quick=False, bits=(4, 8), Ms=None, part=(0, 1)):
    """Every kernel path against the reference on fresh random weights; `Ms`: only these batch sizes (e.g. one rule's rows).
    `part` (i, n): only share i of n (the search space's cases by case number, the forced tilings by their number: each share
    compiles about 1/n of the kernels, which dominate the time)."""
    torch.manual_seed(0)
    worst, n = 0.0, 0
    grid = ([(4096, 4096), (4096 + 64, 1000)], [1, 2, 4, 16, 40, 300], bits, [False, True], [None, "int", "frac"]) if quick else \
           ([(4096, 4096), (4096 + 64, 1000), (1000 + 24, 3000)], [1, 2, 3, 4, 16, 24, 50, 300], bits, [True, False], [None, "int", "frac"])
    if Ms: grid = (grid[0], Ms) + grid[2:]
    t0 = time.time()
    cases = [c for c in itertools.product(*grid) if c[4] is None or c[3]]
    for ci, ((K, N), M, bits, n_major, zeros) in enumerate(cases):
        print(f"  {time.time() - t0:5.0f} s: K={K} N={N} M={M} W{bits} {'[N, words]' if n_major else '[words, N]'} zeros={zeros}", flush=True)
        w = random_weight(K, N, bits, 64 if K % 128 else 128, n_major, zeros)   # (every share draws the same weights)
        sms = torch.cuda.get_device_properties(0).multi_processor_count         # every configuration the search may choose
        cfgs = wa16_candidates(M, N, K, w.group, sms, bits, zeros != "frac") if ci % part[1] == part[0] else []
        if zeros != "frac": cfgs += [c for j, c in enumerate(FORCED(M, min(128, w.group)) + balanced_forced(M, N, K, min(128, w.group)))
                                     if j % part[1] == part[0]]
        for dtype in (torch.bfloat16, torch.float16):
            x = torch.randn(M, K, device="cuda", dtype=dtype)
            ref = wa16_reference(x.double(), w)
            for cfg in cfgs:
                for rep in range(2):                                    # twice: the split-K counters must be back at zero
                    out = torch.full((M, N), float("nan"), device="cuda", dtype=dtype)
                    y = wa16_matmul(x, w, out=out, cfg=cfg)
                    assert not torch.isnan(y).any(), ("unwritten output", K, N, M, bits, cfg)
                    err = ((y.double() - ref).norm() / ref.norm()).item()
                    assert err < 1e-2, (K, N, M, bits, n_major, zeros, dtype, cfg, err)
                    worst, n = max(worst, err), n + 1
        if ci % part[1] == part[0]:
            for dtype in (torch.bfloat16, torch.float16):               # the dense path: the reference's weight, bit for bit
                assert torch.equal(wa16_dequantize(w, dtype, perm=False), wa16_reference_weight(w, dtype)), (K, N, bits, zeros, dtype)
                n += 1
    tma = _tma_ok(random_weight(4096, 1000, n_major=False).qw, "cuda")
    print(f"W4A16/W8A16 on {torch.cuda.get_device_name()}: {n} checks pass, largest relative error {worst:.1e} "
          f"(bulk copies {'used' if tma else 'not available: plain loads'} for [words, N])", flush=True)
    return n, worst

def check_parallel(jobs:int, argv:list):
    "`--check` split over `jobs` processes on the one GPU (compiling kernels, the CPU's work, dominates the check's time)."
    import subprocess, re
    t0 = time.time()
    procs = [subprocess.Popen([sys.executable, __file__, *argv, "--part", f"{i}/{jobs}"], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True) for i in range(jobs)]
    n, worst, failed = 0, 0.0, []
    for i, p in enumerate(procs):
        out = p.communicate()[0]
        m = re.search(r"(\d+) checks pass, largest relative error ([\d.e+-]+)", out)
        if p.returncode or not m:
            failed.append(i); print(f"share {i}/{jobs} FAILED (exit {p.returncode}):\n" + "\n".join(out.splitlines()[-15:]), flush=True)
        else: n, worst = n + int(m.group(1)), max(worst, float(m.group(2)))
    print(f"{jobs} shares in {time.time() - t0:.0f} s: " + (f"shares {failed} FAILED" if failed else
          f"W4A16/W8A16 on {torch.cuda.get_device_name()}: {n} checks pass, largest relative error {worst:.1e}"), flush=True)
    if failed: sys.exit(1)

def tune(Ms=ROW_BUCKETS, shapes=SHAPES, group=128, bits=4, write_defaults=False):
    """Choose every (shape, row bucket)'s configuration by measurement as a cold start would (nothing cached: the search runs
    for each), print the choice beside bf16, the search's time per key and in total; `write_defaults`: add this GPU's choices
    to the file shipped with compressnb."""
    import compressnb.kernels.wa16 as wa16
    sms, gpu = torch.cuda.get_device_properties(0).multi_processor_count, torch.cuda.get_device_name()
    print(f"{gpu}: configurations measured on first use (W{bits}A16, groups of {group}); bf16 F.linear beside, same graphs")
    print("| K | N | rows | candidates | search (s) | chosen | ours (us) | bf16 (us) | speed-up |")
    print("|---|---|---|---|---|---|---|---|---|")
    total, keys = 0.0, []
    for K, N in shapes:
        w0 = random_weight(K, N, bits, group)
        R = copies(w0.nbytes); ws = [w0] + [random_weight(K, N, bits, group) for _ in range(R - 1)]
        W = [torch.randn(N, K, device="cuda", dtype=torch.bfloat16) for _ in range(copies(N * K * 2))]
        for M in Ms:
            key = wa16.tiles_key(gpu, M, N, K, group, bits, True)
            wa16._CHOSEN.pop(key, None); wa16._MEMO.clear()
            cands = wa16.wa16_candidates(M, N, K, group, sms, bits)
            x = torch.randn(M, K, device="cuda", dtype=torch.bfloat16)
            t0 = time.perf_counter()
            if len(cands) > 1:
                cfg, sec = wa16.search_config(x, w0, cands); wa16.remember_config(key, cfg, sec, sms); keys.append(key)
            else: cfg = cands[0]
            dt = time.perf_counter() - t0; total += dt
            t_ref, t, r = paired_time(lambda i: F.linear(x, W[i]), len(W), lambda i: wa16_matmul(x, ws[i], cfg=cfg), R)
            name = ("dequant" if cfg.dequant else "gemv" if cfg.gemv else "balanced" if cfg.balanced else "pair" if cfg.mma else
                    "tc") + f" {cfg.BM}x{cfg.BN} split {cfg.split}" + (" tma" if cfg.tma else "") + (" xnat" if cfg.xnat else "") + \
                   (" xperm" if cfg.xperm else "")
            print(f"| {K} | {N} | {M} | {len(cands)} | {dt:.1f} | {name} | {t*1e6:.1f} | {t_ref*1e6:.1f} | {r:.2f}x |", flush=True)
        del ws, W; torch.cuda.empty_cache()
    print(f"cold-start search: {total:.0f} s for {len(keys)} (shape, rows) keys; a warm cache searches nothing")
    if write_defaults:
        from compressnb.core import cache_dir, atomic_write
        import json, pathlib
        mine = json.loads((cache_dir() / wa16.TILES_FILE).read_text())
        dest = pathlib.Path(wa16.__file__).with_name(wa16.TILES_FILE)
        shipped = json.loads(dest.read_text()) if dest.exists() else {}
        shipped.update({k: mine[k] for k in keys})
        atomic_write(dest, lambda p: pathlib.Path(p).write_text(json.dumps(shipped, indent=1, sort_keys=True) + "\n"))
        print(f"{len(keys)} choices for {gpu} written to {dest}")
    return keys

def vary(cfg:WA16Config, spec:str, M:int, N:int, K:int, sms:int) -> WA16Config:
    """`cfg` with fields changed by `spec`, e.g. 'maxnreg=128' or 'BN=64,split=*2' (split=*2 or /2: doubled or halved;
    split=auto: the pair kernel's rule for the new tile, about one wave of four programs per multiprocessor)."""
    kw, auto = {}, False
    for item in spec.split(","):
        k, v = item.split("=")
        if v == "auto": auto = True
        elif v[0] in "*/": kw[k] = max(1, getattr(cfg, k) * int(v[1:]) if v[0] == "*" else getattr(cfg, k) // int(v[1:]))
        else: kw[k] = type(getattr(cfg, k))(int(v)) if getattr(cfg, k) is not None else int(v)
    cfg = replace(cfg, **kw)
    if auto:
        tiles = -(-M // cfg.BM) * -(-N // cfg.BN)
        cfg = replace(cfg, split=_split_at_most(_split_for(tiles, K // cfg.BK, sms, 16, min_slices=2), tiles, K // cfg.BK, sms, 4))
    return cfg

def ab(specs, Ms, shapes, group=128, bits=4, prelude=False):
    """The chosen tiling against variants of it (`vary`), side by side in one run, bf16 alongside. `prelude`: every call
    (bf16's and ours) is preceded by a copy into its input, as in a model where the previous op writes it; the copies alone
    are timed too and their time is taken off."""
    sms = torch.cuda.get_device_properties(0).multi_processor_count
    for (K, N), M in itertools.product(shapes, Ms):
        w0 = random_weight(K, N, bits, group=group)
        ws = [w0] + [random_weight(K, N, bits, group=group) for _ in range(copies(w0.nbytes) - 1)]
        x = torch.randn(M, K, device="cuda", dtype=torch.bfloat16)
        src = torch.randn(M, K, device="cuda", dtype=torch.bfloat16)
        pre = (lambda: x.copy_(src)) if prelude else (lambda: None)
        W = [torch.randn(N, K, device="cuda", dtype=torch.bfloat16) for _ in range(copies(N * K * 2))]
        t_pre = graph_time(lambda i: pre(), len(W)) if prelude else 0.0
        t_bf16 = graph_time(lambda i: (pre(), F.linear(x, W[i])), len(W)) - t_pre
        heur = wa16_config(M, N, K, group, sms, bits, w=w0, x=x)
        rows = [("chosen", heur)] + [(sp, vary(heur, sp, M, N, K, sms)) for sp in specs]
        out = []
        for name, cfg in rows:
            try: t = graph_time(lambda i: (pre(), wa16_matmul(x, ws[i], cfg=cfg)), len(ws)) - t_pre
            except Exception as e: out.append(f"{name}: failed {repr(e)[:120]}"); continue
            out.append(f"{name} {t*1e6:.1f} us ({t_bf16/t:.2f}x)")
        print(f"W{bits} K={K:5d} N={N:5d} M={M:3d} | bf16 {t_bf16*1e6:7.1f} us | {heur}"
              + (f" | prelude (copy into the input) {t_pre*1e6:.1f} us, taken off" if prelude else ""), flush=True)
        for (name, cfg), o in zip(rows, out): print(f"      {o}   [{cfg.BM}x{cfg.BN} split {cfg.split}]", flush=True)
        del ws, W; torch.cuda.empty_cache()

def table(bits=4, group=128, Ms=BATCHES):
    bw = copy_bandwidth()
    print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}, triton {triton.__version__}; copy bandwidth "
          f"{bw/1e12:.2f} TB/s (read + write); W{bits}A16 groups of {group}, symmetric, bf16 activations, "
          f"weights laid out {'[N, words]' if N_MAJOR else '[words, N]'}")
    print("| K | N | M | bf16 F.linear (us) | ours (us) | speed-up | ours GB/s | fraction of floor |")
    print("|---|---|---|---|---|---|---|---|")
    for K, N in SHAPES:
        w0 = random_weight(K, N, bits, group)
        R = copies(w0.nbytes); ws = [w0] + [random_weight(K, N, bits, group) for _ in range(R - 1)]
        W = [torch.randn(N, K, device="cuda", dtype=torch.bfloat16) for _ in range(copies(N * K * 2))]
        for M in Ms:
            x = torch.randn(M, K, device="cuda", dtype=torch.bfloat16)
            wa16_matmul(x, w0)                                          # the configuration chosen (measured if not cached) first
            t_ref, t, r = paired_time(lambda i: F.linear(x, W[i]), len(W), lambda i: wa16_matmul(x, ws[i]), R)
            nbytes = w0.nbytes + 2 * M * K + 2 * M * N
            print(f"| {K} | {N} | {M} | {t_ref*1e6:.1f} | {t*1e6:.1f} | {r:.2f}x | {nbytes/t/1e9:.0f} | {nbytes/bw/t:.2f} |",
                  flush=True)
        del ws, W; torch.cuda.empty_cache()

def torchao_linears(K, N, n:int):
    """`n` bf16 linear layers [N, K] quantized by torchao's int4 weight-only path (groups of 128), and the packing used:
    tinygemm's (`tile_packed_to_4d`, torch's own `_weight_int4pack_mm`) if it runs here, else the plain one (fbgemm)."""
    import torch.nn as nn
    from torchao.quantization import quantize_, Int4WeightOnlyConfig
    errors = []
    for fmt in ("tile_packed_to_4d", "plain"):
        try:
            lins = []
            for _ in range(n):
                lin = nn.Linear(K, N, bias=False, device="cuda", dtype=torch.bfloat16)
                quantize_(lin, Int4WeightOnlyConfig(group_size=128, int4_packing_format=fmt))
                lins.append(lin)
            lins[0](torch.randn(1, K, device="cuda", dtype=torch.bfloat16))
            return lins, fmt
        except Exception as e: errors.append(f"{fmt}: {type(e).__name__}: {str(e).splitlines()[0][:160]}")
    raise RuntimeError("; ".join(errors))

def peer_table(Ms=(1, 16), group=128):
    "bf16, torchao int4 weight-only and ours at the same shapes and batch sizes; each ratio from alternating rounds in one run."
    import torchao
    print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}, triton {triton.__version__}, torchao {torchao.__version__}; "
          f"W4A16 groups of {group}, bf16 activations")
    print("| K | N | M | bf16 (us) | torchao int4 (us) | ours (us) | ours vs bf16 | ours vs torchao |")
    print("|---|---|---|---|---|---|---|---|")
    for K, N in SHAPES:
        w0 = random_weight(K, N, 4, group)
        R = copies(w0.nbytes); ws = [w0] + [random_weight(K, N, 4, group) for _ in range(R - 1)]
        W = [torch.randn(N, K, device="cuda", dtype=torch.bfloat16) for _ in range(copies(N * K * 2))]
        try: ao, fmt = torchao_linears(K, N, R)
        except Exception as e:
            print(f"| {K} | {N} | - | torchao's int4 path does not run here: {e} | | | | |", flush=True); ao = None
        for M in Ms:
            x = torch.randn(M, K, device="cuda", dtype=torch.bfloat16)
            wa16_matmul(x, w0)
            t_ref, t, r = paired_time(lambda i: F.linear(x, W[i]), len(W), lambda i: wa16_matmul(x, ws[i]), R)
            if ao is None: print(f"| {K} | {N} | {M} | {t_ref*1e6:.1f} | - | {t*1e6:.1f} | {r:.2f}x | - |", flush=True); continue
            t_ao, t2, r2 = paired_time(lambda i: ao[i](x), len(ao), lambda i: wa16_matmul(x, ws[i]), R)
            print(f"| {K} | {N} | {M} | {t_ref*1e6:.1f} | {t_ao*1e6:.1f} ({fmt}) | {t*1e6:.1f} | {r:.2f}x | {r2:.2f}x |", flush=True)
        del ws, W, ao; torch.cuda.empty_cache()

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--tune", action="store_true"); ap.add_argument("--check", action="store_true")
    ap.add_argument("--write-defaults", action="store_true", help="--tune: add this GPU's choices to compressnb/kernels/wa16-tiles.json")
    ap.add_argument("--quick", action="store_true", help="--check: a smaller set (two shapes, fewer batch sizes)")
    ap.add_argument("--bits", type=int, default=None, help="4 or 8 (default: 4; --check: both)")
    ap.add_argument("--M", type=int, nargs="*", default=None, help="--vary: batch sizes (default 1 2 4 16); --tune: rows (default the buckets 1-256); --check: only these")
    ap.add_argument("--shapes", nargs="*", default=None, help="--tune/--vary: KxN shapes, e.g. 8192x28672")
    ap.add_argument("--group", type=int, default=128, help="--tune/--vary: group size")
    ap.add_argument("--n-major", action="store_true", help="weights laid out [N, words] (QuantLinear's storage) instead of [words, N]")
    ap.add_argument("--vary", nargs="*", default=None, help="the chosen tiling against variants of it, e.g. maxnreg=128 'BN=64,split=*2' (with --M, --shapes, --bits)")
    ap.add_argument("--prelude", action="store_true", help="--vary: a copy into the input before every call (timed alone and taken off)")
    ap.add_argument("--table-M", type=int, nargs="*", default=BATCHES, help="table: batch sizes")
    ap.add_argument("--jobs", type=int, default=1, help="--check: split over this many processes (kernel compiles run in parallel)")
    ap.add_argument("--part", default="0/1", help=argparse.SUPPRESS)     # one share of a parallel --check
    ap.add_argument("--peer", choices=["torchao"], default=None, help="a peer's int4 path beside bf16 and ours (with --M)")
    a = ap.parse_args()
    N_MAJOR = a.n_major
    if not torch.cuda.is_available(): sys.exit("bench_wa16: needs a CUDA GPU (the CPU tests run in the notebooks)")
    bits = a.bits or 4
    Ms = a.M or [1, 2, 4, 16]
    if a.check and a.jobs > 1:
        check_parallel(a.jobs, ["--check"] + ["--quick"] * a.quick + (["--bits", str(a.bits)] if a.bits else []) +
                       (["--M", *map(str, a.M)] if a.M else []))
    elif a.peer: peer_table(a.M or (1, 16))
    elif a.check: check(a.quick, (a.bits,) if a.bits else (4, 8), a.M, tuple(map(int, a.part.split("/"))))
    elif a.vary is not None: ab(a.vary, Ms, [tuple(map(int, x.split('x'))) for x in a.shapes] if a.shapes else SHAPES, a.group, bits, a.prelude)
    elif a.tune: tune(a.M or ROW_BUCKETS, [tuple(map(int, x.split('x'))) for x in a.shapes] if a.shapes else SHAPES, a.group, bits, a.write_defaults)
    else: table(bits, Ms=a.table_M)
