"""Peak memory of compressnb's sequential engine on SmolLM2-135M, and a compression run capped below the model's own size.

    python bench/engine_memory.py                 # measurement table (about 2 minutes on 2 cores)
    python bench/engine_memory.py --cap-mib 1024  # compress a 1.5 GB model inside a memory cgroup capped at 1 GiB (needs root)

Memory is read from /proc/self/status by a thread sampling every 2 ms: RssAnon (memory the process allocated itself) and
RssFile (pages of memory-mapped files, which the kernel can drop and re-read). The sampler can miss a short peak; the
kernel's own high-water mark of resident memory (VmHWM, reset just before the run by writing 5 to /proc/self/clear_refs)
cannot, and gives the deterministic figure. transformers memory-maps safetensors weights, so a
loaded model costs file pages, not anonymous memory; the engine touches one block at a time.
"""
import argparse, gc, os, subprocess, sys, tempfile, threading, time
from pathlib import Path

def mem():
    "MiB of anonymous and file-backed resident memory of this process."
    d = {}
    for l in open("/proc/self/status"):
        if l.startswith(("RssAnon", "RssFile")): k, v = l.split(":"); d[k] = int(v.split()[0]) / 1024
    return d["RssAnon"], d["RssFile"]

def reset_hwm() -> bool:
    "Reset the kernel's resident-memory high-water mark (Linux >= 4.0); False where it cannot be."
    try: open("/proc/self/clear_refs", "w").write("5"); return True
    except OSError: return False

def hwm() -> float:
    "MiB: the kernel's high-water mark of this process's resident memory (anonymous + file pages)."
    for l in open("/proc/self/status"):
        if l.startswith("VmHWM"): return int(l.split()[1]) / 1024
    return float("nan")

class Peak(threading.Thread):
    "Samples memory until stopped; keeps the peaks."
    def __init__(self):
        super().__init__(daemon=True); self.stop_, self.anon, self.total = False, 0, 0
    def run(self):
        while not self.stop_:
            a, f = mem(); self.anon = max(self.anon, a); self.total = max(self.total, a + f); time.sleep(0.002)

def measure(n_calib, seqlen, batch_size, reuse_mib=None):
    import torch
    from compressnb.models import load_model
    from compressnb.data import load_text, calibration_sequences
    from compressnb.engine import run_sequential, find_blocks, Method
    from compressnb.quant import QuantConfig, rtn_linear
    from compressnb.engine import as_linear
    torch.set_num_threads(2)

    class HessianThenRTN(Method):
        "Collects every layer's Hessian (as GPTQ does), then rounds to 3 bits: the memory pattern of a calibrated method."
        name = "hessian+rtn"
        def compress_layer(self, name, layer, stats): return rtn_linear(as_linear(layer), QuantConfig(3, 64))

    model, tok = load_model("smollm2-135m")
    calib = calibration_sequences(tok, load_text("austen-calib"), n_calib, seqlen)
    _, blocks = find_blocks(model)
    model_mib = sum(p.numel() * p.element_size() for p in model.parameters()) / 2**20
    block_mib = sum(p.numel() * p.element_size() for p in blocks[0].parameters()) / 2**20
    act_mib = n_calib * seqlen * model.config.hidden_size * 4 / 2**20                  # one copy of the block inputs, fp32
    gc.collect(); time.sleep(0.2)
    anon0, file0 = mem()
    exact = reset_hwm()
    p = Peak(); p.start()
    r = run_sequential(model, HessianThenRTN(), calib, batch_size=batch_size, progress=False, reuse_mib=reuse_mib)
    p.stop_ = True; p.join()
    peak_hwm = hwm() if exact else float("nan")
    rows = [("model weights (fp32, memory-mapped)", model_mib), ("one block", block_mib),
            (f"block inputs, {n_calib}x{seqlen} tokens (one copy)", act_mib),
            ("anonymous memory before the run (runtime, tokenizer)", anon0),
            ("peak anonymous memory during the run, above that", p.anon - anon0),
            ("peak resident memory (anonymous + file pages)", p.total),
            ("peak resident memory, kernel high-water mark (exact)", peak_hwm)]
    reuse = "default budget" if reuse_mib is None else f"{reuse_mib:g} MiB"
    print(f"\nengine memory on SmolLM2-135M, calibrated method, {n_calib} sequences x {seqlen} tokens, batch {batch_size}, "
          f"kept outputs between passes: {reuse}, {r.seconds:.0f}s")
    for k, v in rows: print(f"| {k:<55} | {v:8.1f} MiB |")
    return dict(rows)

def big_model(path):
    "A random-initialised Llama of about 1.5 GB in fp32 (memory use does not depend on the weights' values)."
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM
    cfg = AutoConfig.for_model("llama", hidden_size=1024, intermediate_size=2816, num_hidden_layers=24, num_attention_heads=16,
                               num_key_value_heads=16, vocab_size=32000, tie_word_embeddings=False)
    torch.manual_seed(0)
    AutoModelForCausalLM.from_config(cfg).save_pretrained(path)
    return sum(f.stat().st_size for f in Path(path).glob("*.safetensors")) / 2**20

def child(model, out):
    "Compress with the CLI's own function (RTN 3-bit g64, no evaluation) and save."
    from compressnb.cli import run_compress
    run_compress(model=model, settings={"bits": 3, "group_size": 64}, out=out, no_eval=True)

def control(model):
    "The naive alternative: the same model copied into ordinary (anonymous) memory."
    from compressnb.models import load_model
    m, _ = load_model(model)
    copies = [p.detach().clone() for p in m.parameters()]

def capped(cap_mib, what, model, out):
    "Run this script's `what` in a new memory cgroup (v1) limited to `cap_mib`; return the exit status."
    cg = Path("/sys/fs/cgroup/memory")/f"compressnb-bench-{os.getpid()}-{what}"
    cg.mkdir()
    try:
        (cg/"memory.limit_in_bytes").write_text(str(cap_mib * 2**20))
        def enter(): (cg/"cgroup.procs").write_text(str(os.getpid()))
        t = time.time()
        r = subprocess.run([sys.executable, __file__, f"--{what}", model, "--out", out], preexec_fn=enter, capture_output=True, text=True)
        peak = int((cg/"memory.max_usage_in_bytes").read_text()) / 2**20
        ok = r.returncode == 0
        print(f"| {what:<8} | cap {cap_mib} MiB | {'completed' if ok else f'killed (exit {r.returncode})':<18} | peak charged {peak:5.0f} MiB | {time.time()-t:4.0f} s |")
        if not ok and r.returncode != -9: print(r.stderr[-1500:])
        return r.returncode
    finally:
        cg.rmdir()                        # a cgroup is removed with rmdir once its processes have exited

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--n-calib", type=int, default=128); ap.add_argument("--seqlen", type=int, default=512)
    ap.add_argument("--batch-size", type=int, default=8); ap.add_argument("--cap-mib", type=int, default=0)
    ap.add_argument("--child"); ap.add_argument("--control"); ap.add_argument("--out")
    ap.add_argument("--reuse-mib", type=float, default=None, help="memory for outputs kept between passes (0: none; default: the engine's)")
    a = ap.parse_args()
    if a.child: child(a.child, a.out)
    elif a.control: control(a.control)
    elif a.cap_mib:
        with tempfile.TemporaryDirectory() as d:
            size = big_model(f"{d}/big")
            print(f"\nrandom-initialised Llama, {size:.0f} MiB of fp32 weights; memory cgroup capped at {a.cap_mib} MiB:")
            rc_child = capped(a.cap_mib, "child", f"{d}/big", f"{d}/q")
            if rc_child == 0:
                q = sum(f.stat().st_size for f in Path(f"{d}/q").glob("*.safetensors")) / 2**20
                print(f"compressed model written: {q:.0f} MiB")
            rc_control = capped(a.cap_mib, "control", f"{d}/big", f"{d}/unused")
        sys.exit(0 if rc_child == 0 and rc_control != 0 else 1)
    else: measure(a.n_calib, a.seqlen, a.batch_size, a.reuse_mib)
