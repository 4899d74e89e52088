"""AQLM layers against dense products at one token, measured side by side in one run.

    python kernels/bench_aqlm.py              # CPU: Numba lookup-table kernel (2x8 and 1x16) against dense fp32 F.linear

Times are medians of interleaved repeats on this machine's threads (`torch.get_num_threads()`, which Numba is set to as
well); ratios are against dense fp32 `F.linear` measured in the same run. The floor is the time to read the codes at the
machine's read bandwidth measured in the same run (the table and codebooks stay in cache for 2x8). Weights are random:
speed does not depend on their values.
"""
import argparse, statistics, sys, time
import numba, torch, torch.nn.functional as F
sys.path.insert(0, ".")
from compressnb.aqlm import AQLMLinear
from compressnb.kernels.aqlm_cpu import aqlm_cpu_forward

SHAPES = [(4096, 11008), (11008, 4096), (8192, 28672)]           # (in, out)
CONFIGS = [(2, 8), (1, 16)]

def median_times(fns:dict, reps:int) -> dict:
    for f in fns.values(): f()
    ts = {k: [] for k in fns}
    for _ in range(reps):
        for k, f in fns.items():
            t = time.perf_counter(); f(); ts[k].append(time.perf_counter() - t)
    return {k: statistics.median(v) for k, v in ts.items()}

def read_bandwidth() -> float:
    a = torch.ones(2**28)
    return a.numel() * 4 / min(median_times({"s": lambda: a.sum()}, 5).values(), default=1)

def random_aqlm(k, n, M, B):
    m = AQLMLinear(k, n, M, B, 8)
    m.codes.copy_(torch.randint(0, 2 ** B, m.codes.shape).to(torch.int32).to(m.codes.dtype))
    m.codebooks.copy_(torch.randn(M, 2 ** B, 8) * 0.1)
    return m

def cpu_table(reps:int):
    numba.set_num_threads(torch.get_num_threads())
    bw = read_bandwidth()
    print(f"CPU, {torch.get_num_threads()} threads (torch and Numba), torch {torch.__version__}, numba {numba.__version__}; "
          f"read bandwidth {bw/1e9:.1f} GB/s; one token")
    print("| in x out | dense fp32 (ms) | config | AQLM (ms) | speed-up | bits/weight | floor (ms) |")
    print("|---|---|---|---|---|---|---|")
    for k, n in SHAPES:
        W = torch.randn(n, k); x = torch.randn(1, k)
        for M, B in CONFIGS:
            m = random_aqlm(k, n, M, B)
            t = median_times({"dense": lambda: F.linear(x, W), "aqlm": lambda: aqlm_cpu_forward(m, x)}, reps)
            floor = m.codes.numel() * m.codes.element_size() / bw
            print(f"| {k}x{n} | {t['dense']*1e3:.2f} | {M}x{B} | {t['aqlm']*1e3:.2f} | {t['dense']/t['aqlm']:.2f}x | "
                  f"{m.weight_bits() / (k * n):.3f} | {floor*1e3:.2f} |", flush=True)
        del W

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=15)
    a = ap.parse_args()
    cpu_table(a.reps)
