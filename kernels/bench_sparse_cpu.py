"""Sparse CPU kernels against dense fp32, dense int8 and scipy CSR, then SmolLM2 decoding, all in one run on this machine.

    python kernels/bench_sparse_cpu.py               # layer table (5 shapes x 50/70/90% x batch 1/16) and end to end
    python kernels/bench_sparse_cpu.py --layers-only
    python kernels/bench_sparse_cpu.py --e2e-only

Times are medians of interleaved repeats; ratios are against dense fp32 `F.linear` measured in the same run. The floor is
the time to read the bytes each product must read (weights, mask or indices, scales) at this machine's measured read
bandwidth. Dense int8 is torch's `quantize_dynamic` (per-tensor int8 weights, int8 activations, oneDNN/FBGEMM kernels);
scipy is CSR with fp32 values and int32 indices.
"""
import argparse, gc, os, statistics, time, warnings
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F

SHAPES = [(576, 1536), (1536, 576), (4096, 11008), (11008, 4096), (8192, 28672)]     # (in, out) as in the issue: in x out

def read_bandwidth() -> float:
    "Bytes per second that the threads read from memory (sum over a 1 GiB array, best of 5)."
    a = torch.ones(2**28)
    best = min(_timed(lambda: a.sum()) for _ in range(5))
    return a.numel() * 4 / best

def _timed(f) -> float:
    t = time.perf_counter(); f(); return time.perf_counter() - t

def median_times(fns:dict, reps:int) -> dict:
    "Median seconds of each function, the functions run interleaved so that drifts hit all alike."
    for f in fns.values(): f()                                          # warm up (and compile)
    ts = {k: [] for k in fns}
    for _ in range(reps):
        for k, f in fns.items(): ts[k].append(_timed(f))
    return {k: statistics.median(v) for k, v in ts.items()}

def layer_table(bw:float, reps:int):
    import scipy.sparse as sps
    from compressnb.sparse import SparseLinear, prune_mask
    from compressnb.kernels.sparse_cpu import sparselinear_forward
    rows = []
    for k, n in SHAPES:                                                 # k inputs, n outputs
        torch.manual_seed(0)
        lin = nn.Linear(k, n, bias=False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            qlin = torch.ao.quantization.quantize_dynamic(nn.Sequential(lin), {nn.Linear}, dtype=torch.qint8)
        W = lin.weight.detach()
        for sp in (0.5, 0.7, 0.9):
            keep = prune_mask(torch.rand(n, k), sp)
            s8 = SparseLinear.from_weight(W, keep, "int8")
            s32 = SparseLinear.from_weight(W, keep, "fp32")
            csr = sps.csr_matrix((W * keep).numpy())
            for b in (1, 16):
                x = torch.randn(b, k)
                xn = np.ascontiguousarray(x.numpy().T)                  # scipy: W @ x^T
                fns = {"dense fp32": lambda: F.linear(x, W), "dense int8": lambda: qlin(x),
                       "scipy csr": lambda: csr @ xn,
                       "ours fp32": lambda: sparselinear_forward(s32, x), "ours int8": lambda: sparselinear_forward(s8, x)}
                t = median_times(fns, reps)
                nnz, mask = s8.nnz, s8.mask.numel()                     # the expand kernels read the mask and the values
                floor = {"dense fp32": 4 * n * k, "dense int8": n * k + 4 * n, "scipy csr": nnz * 8 + 4 * (n + 1),
                         "ours fp32": mask + nnz * 4 + 8 * (n + 1), "ours int8": mask + nnz + 8 * (n + 1) + 4 * n}
                rows.append((k, n, sp, b, t, {kk: v / bw for kk, v in floor.items()}))
                print(_row(rows[-1]), flush=True)
            del s8, s32, csr; gc.collect()
        del lin, qlin, W; gc.collect()
    return rows

def _row(r):
    k, n, sp, b, t, fl = r
    base = t["dense fp32"]
    cells = "  ".join(f"{name} {t[name]*1e3:7.2f} ms ({base / t[name]:4.2f}x, floor {fl[name]*1e3:6.2f})" for name in t)
    return f"{k:>5}x{n:<5} {sp:.0%} b{b:<2} | {cells}"

def end_to_end(tokens:int, sparsity:float, method:str):
    "Decode tokens/s and held-out perplexity of SmolLM2-135M: dense fp32, dense int8 (torch dynamic), sparse int8 (ours)."
    from compressnb.models import load_model
    from compressnb.data import load_text, calibration_sequences
    from compressnb.evaluate import perplexity
    from compressnb.engine import run_sequential
    from compressnb.prune import SparseGPT, Magnitude
    calib_text, eval_text = load_text("austen-calib"), load_text("pride-and-prejudice")
    dense, tok = load_model("smollm2-135m")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        int8 = torch.ao.quantization.quantize_dynamic(load_model("smollm2-135m")[0], {nn.Linear}, dtype=torch.qint8)
    sparse, _ = load_model("smollm2-135m")
    m = SparseGPT(sparsity, values="int8") if method == "sparsegpt" else Magnitude(sparsity, values="int8")
    calib = calibration_sequences(tok, calib_text, n=32, seqlen=256, seed=0) if m.needs_calibration else None
    run_sequential(sparse, m, calib, progress=True)
    # The output projection (tied to the 28M-parameter embedding) is a third of the dense model's bytes per token; torch's
    # int8 path quantizes it too, so ours stores it as int8 values with no zeros (its embedding lookup stays fp32).
    from compressnb.sparse import SparseLinear
    head = sparse.lm_head.weight.detach()
    sparse.lm_head = SparseLinear.from_weight(head, torch.ones_like(head, dtype=torch.bool), "int8")
    models = {"dense fp32": dense, "dense int8 (torch)": int8, f"{method} {sparsity:.0%} int8 (ours)": sparse}
    ids = tok("It is a truth universally acknowledged, that a single man in possession of a good fortune,", return_tensors="pt").input_ids
    def gen(mod, n): return lambda: mod.generate(ids, max_new_tokens=n, min_new_tokens=n, do_sample=False,
                                      pad_token_id=tok.eos_token_id)
    with torch.no_grad():
        fns = {}
        for name, mod in models.items(): fns[name + "/1"], fns[name + "/n"] = gen(mod, 1), gen(mod, tokens)
        t = median_times(fns, 3)
        print(f"\nSmolLM2-135M, greedy decoding of {tokens} tokens after a {ids.shape[1]}-token prompt, {torch.get_num_threads()} threads:")
        base = None
        for name, mod in models.items():
            tps = (tokens - 1) / (t[name + "/n"] - t[name + "/1"])
            base = base or tps
            ppl = perplexity(mod, tok, eval_text, max_chars=30_000, progress=False).ppl
            print(f"  {name:<28} {tps:6.1f} tokens/s ({tps / base:4.2f}x)   perplexity {ppl:.2f}")

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--layers-only", action="store_true"); ap.add_argument("--e2e-only", action="store_true")
    ap.add_argument("--reps", type=int, default=7); ap.add_argument("--tokens", type=int, default=64)
    ap.add_argument("--sparsity", type=float, default=0.7); ap.add_argument("--method", default="sparsegpt", choices=["sparsegpt", "magnitude"])
    a = ap.parse_args()
    import numba
    threads = os.cpu_count()
    torch.set_num_threads(threads); numba.set_num_threads(threads)
    bw = read_bandwidth()
    print(f"{threads} threads, torch {torch.__version__}, numba {numba.__version__}; read bandwidth {bw / 1e9:.1f} GB/s")
    print("floor = bytes the product must read / read bandwidth (ms)")
    if not a.e2e_only: layer_table(bw, a.reps)
    if not a.layers_only: end_to_end(a.tokens, a.sparsity, a.method)
