"""AQLM layers against dense products at one token, measured side by side in one run.

    python kernels/bench_aqlm.py              # CPU: Numba lookup-table kernel (2x8 and 1x16) against dense fp32 F.linear
    python kernels/bench_aqlm.py --gpu        # GPU: Triton kernels (2x8, 1x16) against bf16 F.linear, 1-16 tokens, Llama-3 shapes
    python kernels/bench_aqlm.py --check      # GPU: the Triton kernels against the reference, then exit
    python kernels/bench_aqlm.py --sweep      # GPU: tiles of the one-token lookup-table kernel (2x8), Llama-3 shapes
    python kernels/bench_aqlm.py --small      # GPU: one token, 2x8, small and mid layers: the tiles lut_config picks
    python kernels/bench_aqlm.py --decode     # GPU: greedy decoding, SmolLM2-135M's shapes: kernels, reference, bf16

On the GPU each row times the kernel that `AQLMLinear` uses for that many tokens (`aqlm_cuda_forward`): the lookup-table
kernel at one token where its tables fit (2x8), else the decoding kernel; at one token the decoding kernel is timed too.

Times are medians of interleaved repeats on this machine's threads (`torch.get_num_threads()`, which Numba is set to as
well); ratios are against dense fp32 `F.linear` measured in the same run. The floor is the time to read the codes at the
machine's read bandwidth measured in the same run (the table and codebooks stay in cache for 2x8). Weights are random:
speed does not depend on their values.
"""
import argparse, statistics, sys, time
import numba, torch, triton, torch.nn.functional as F
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

def gpu_check():
    from compressnb.kernels.aqlm_gpu import aqlm_matmul, aqlm_lut_matmul
    torch.manual_seed(0); worst = 0.0
    cases = [((4096, 4096), (2, 8), 1), ((4096, 11008), (1, 16), 16), ((1000, 3000), (2, 8), 5), ((512, 96), (1, 8), 13)]
    for (k, n), (M, B), rows in cases + [((4096, 4096), (2, 8), "lut"), ((576, 1536), (2, 8), "lut"), ((1000, 3000), (1, 8), "lut")]:
        m = random_aqlm(k, n, M, B).cuda()
        m.scales.copy_(torch.rand(n, device="cuda") + 0.5)
        x = torch.randn(1 if rows == "lut" else rows, k, device="cuda", dtype=torch.bfloat16)
        mm = aqlm_lut_matmul if rows == "lut" else aqlm_matmul
        y = mm(x, m.codes, m.codebooks, m.scales).float()
        ref = x.float() @ m.dequantize().T
        err = ((y - ref).norm() / ref.norm()).item(); worst = max(worst, err)
        assert err < 1e-2, (k, n, M, B, rows, err)
    print(f"AQLM Triton kernels on {torch.cuda.get_device_name()}: all checks pass, largest relative error {worst:.1e}")

def gpu_table(Ms=(1, 4, 16)):
    sys.path.insert(0, "kernels")
    from bench_wa16 import paired_time, copies, copy_bandwidth
    from compressnb.kernels.aqlm_gpu import aqlm_matmul, aqlm_cuda_forward, lut_fits
    bw = copy_bandwidth()
    print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}, triton {triton.__version__}; copy bandwidth {bw/1e12:.2f} TB/s; bf16 activations")
    print("| K x N | config | M | kernel | bf16 (us) | AQLM (us) | speed-up | floor (us) |")
    print("|---|---|---|---|---|---|---|---|")
    for k, n in [(4096, 14336), (8192, 28672)]:
        W = [torch.randn(n, k, device="cuda", dtype=torch.bfloat16) for _ in range(copies(n * k * 2))]
        for M, B in CONFIGS:
            ms = [random_aqlm(k, n, M, B).cuda() for _ in range(copies(n * k // 4))]
            for rows in Ms:
                x = torch.randn(rows, k, device="cuda", dtype=torch.bfloat16)
                kernels = {"decode": lambda i: aqlm_matmul(x, ms[i].codes, ms[i].codebooks, ms[i].scales)}
                if rows == 1 and lut_fits(ms[0].codes, ms[0].codebooks): kernels["lookup"] = lambda i: aqlm_cuda_forward(ms[i], x)
                floor = (ms[0].weight_bits() / 8 + 2 * rows * (k + n)) / bw
                for name, f in kernels.items():
                    t_ref, t, r = paired_time(lambda i: F.linear(x, W[i]), len(W), f, len(ms))
                    print(f"| {k}x{n} | {M}x{B} | {rows} | {name} | {t_ref*1e6:.1f} | {t*1e6:.1f} | {r:.2f}x | {floor*1e6:.1f} |", flush=True)
            del ms
        del W; torch.cuda.empty_cache()

def lut_sweep(configs=((1024, 16, 8), (1024, 32, 16), (512, 32, 8), (2048, 16, 16), (512, 16, 4))):
    "One token, 2x8: the lookup-table kernel's time for each (BN, BJ, warps) against bf16 F.linear, same graphs."
    sys.path.insert(0, "kernels")
    from bench_wa16 import paired_time, copies
    from compressnb.kernels.aqlm_gpu import aqlm_lut_matmul, LUTConfig
    print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}, triton {triton.__version__}; one token, 2x8, bf16 activations")
    print("| K x N | BN | BJ | warps | bf16 (us) | lookup (us) | speed-up |\n|---|---|---|---|---|---|---|")
    for k, n in [(4096, 14336), (8192, 28672)]:
        W = [torch.randn(n, k, device="cuda", dtype=torch.bfloat16) for _ in range(copies(n * k * 2))]
        ms = [random_aqlm(k, n, 2, 8).cuda() for _ in range(copies(n * k // 4))]
        x = torch.randn(1, k, device="cuda", dtype=torch.bfloat16)
        for BN, BJ, nw in configs:
            f = lambda i: aqlm_lut_matmul(x, ms[i].codes, ms[i].codebooks, ms[i].scales, LUTConfig(BN, BJ, nw))
            t_ref, t, r = paired_time(lambda i: F.linear(x, W[i]), len(W), f, len(ms))
            print(f"| {k}x{n} | {BN} | {BJ} | {nw} | {t_ref*1e6:.1f} | {t*1e6:.1f} | {r:.2f}x |", flush=True)
        del W, ms; torch.cuda.empty_cache()

SMALL = [(576, 576), (576, 192), (576, 1536), (1536, 576), (2048, 2048), (2048, 5632), (4096, 4096)]   # SmolLM2-135M's, then mid

def small_table():
    "One token, 2x8, small and mid layers: the tiles `lut_config` picks against the large-layer tiles and bf16 F.linear."
    sys.path.insert(0, "kernels")
    from bench_wa16 import paired_time, copies
    from compressnb.kernels.aqlm_gpu import aqlm_lut_matmul, lut_config, LUTConfig
    print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}, triton {triton.__version__}; one token, 2x8, bf16 activations")
    print("| K x N | tiles | bf16 (us) | lookup (us) | speed-up |\n|---|---|---|---|---|")
    for k, n in SMALL:
        W = [torch.randn(n, k, device="cuda", dtype=torch.bfloat16) for _ in range(copies(n * k * 2))]
        ms = [random_aqlm(k, n, 2, 8).cuda() for _ in range(copies(n * k // 4))]
        x = torch.randn(1, k, device="cuda", dtype=torch.bfloat16)
        picked = lut_config(n, k // 8)
        for cfg in [picked] + [c for c in (LUTConfig(), LUTConfig(64, 8, 4, 2)) if c != picked]:
            f = lambda i: aqlm_lut_matmul(x, ms[i].codes, ms[i].codebooks, ms[i].scales, cfg=cfg)
            t_ref, t, r = paired_time(lambda i: F.linear(x, W[i]), len(W), f, len(ms))
            name = f"{cfg.BN}/{cfg.BJ}/{cfg.num_warps}" + (" (picked)" if cfg == picked else "")
            print(f"| {k}x{n} | {name} | {t_ref*1e6:.1f} | {t*1e6:.1f} | {r:.2f}x |", flush=True)
        del W, ms; torch.cuda.empty_cache()

def decode_table(tokens:int=64):
    """Greedy decoding with the KV cache on a Llama of SmolLM2-135M's shapes (random weights): every block linear a random
    2x8 AQLM layer through the kernels, then through the reference (weights decoded per call), against the same model
    uncompressed in bf16."""
    import copy
    from transformers import LlamaConfig, LlamaForCausalLM
    from compressnb.structure import find_linears, set_submodule
    from compressnb.layers import cast_activations
    from compressnb.evaluate import decode_speeds
    torch.manual_seed(0)
    cfg = LlamaConfig(hidden_size=576, intermediate_size=1536, num_hidden_layers=30, num_attention_heads=9, num_key_value_heads=3,
                      vocab_size=49152, tie_word_embeddings=True)
    dense = LlamaForCausalLM(cfg).eval()
    aq = copy.deepcopy(dense)
    for name, lin in find_linears(aq.model).items(): set_submodule(aq.model, name, random_aqlm(lin.in_features, lin.out_features, 2, 8))
    aq, dense = cast_activations(aq, torch.bfloat16).cuda(), dense.to(torch.bfloat16).cuda()
    ids = torch.randint(0, cfg.vocab_size, (1, 12), device="cuda")
    print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}, triton {triton.__version__}; SmolLM2-135M shapes, "
          f"{tokens} greedy tokens after 12, bf16, tokens/s over 3 alternating rounds (median)")
    got = decode_speeds({"uncompressed bf16": dense, "AQLM 2x8, kernels": aq, "AQLM 2x8, reference": (aq, True)}, ids, tokens)
    base = got["uncompressed bf16"][1]
    print("| model | tokens/s | vs uncompressed |\n|---|---|---|")
    for k, (_, tps) in got.items(): print(f"| {k} | {tps:.1f} | {tps / base:.2f}x |")

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=15)
    ap.add_argument("--gpu", action="store_true"); ap.add_argument("--check", action="store_true")
    ap.add_argument("--sweep", action="store_true"); ap.add_argument("--small", action="store_true")
    ap.add_argument("--decode", action="store_true")
    a = ap.parse_args()
    if (a.gpu or a.check or a.sweep or a.small or a.decode) and not torch.cuda.is_available():
        sys.exit("bench_aqlm: --gpu, --check, --sweep, --small and --decode need a CUDA GPU")
    if a.check: gpu_check()
    elif a.sweep: lut_sweep()
    elif a.small: small_table()
    elif a.decode: decode_table()
    elif a.gpu: gpu_table()
    else: cpu_table(a.reps)
