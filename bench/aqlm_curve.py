"""Perplexity against bits per weight for RTN, GPTQ and AQLM on SmolLM2-135M at about 2, 3 and 4 bits.

    python bench/aqlm_curve.py --out-root runs/curve                       # every point, on this machine
    python bench/aqlm_curve.py --out-root runs/curve --only aqlm --device cuda --jobs 3   # AQLM points on a GPU, side by side

Each point is one `compressnb compress` command (printed), saved under `--out-root/NAME`; a point whose directory already
holds a finished model is read, not rerun, so the script resumes where it stopped (and AQLM resumes inside a point).
Same calibration (128 x 512 tokens of the five other Austen novels, seed 0) and held-out text (first 90,000 characters of
*Pride and Prejudice*) for every point. Bits per weight count everything stored for the blocks' linear layers: codes,
codebooks, scales, zero points. The points are written to `bench/aqlm_curve.json` (merged with the points already there),
which the two-bit tutorial plots.

Scalar grids use groups of 64: SmolLM2's released weights lie on a 4-bit grid of groups of 32, so that grid is not evidence.
"""
import argparse, json, subprocess, sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

POINTS = {   # name: (method family, CLI arguments after --method)
    "rtn-w2-g64": ("rtn", ["rtn", "--bits", "2", "--group-size", "64"]),
    "rtn-w3-g64": ("rtn", ["rtn", "--bits", "3", "--group-size", "64"]),
    "rtn-w4-g64": ("rtn", ["rtn", "--bits", "4", "--group-size", "64"]),
    "gptq-w2-g64": ("gptq", ["gptq", "--bits", "2", "--group-size", "64"]),
    "gptq-w3-g64": ("gptq", ["gptq", "--bits", "3", "--group-size", "64"]),
    "gptq-w4-g64": ("gptq", ["gptq", "--bits", "4", "--group-size", "64"]),
    "aqlm-2x8-g8": ("aqlm", ["aqlm"]),                                   # 2 codes of 8 bits per 8 weights: ~2 bits
    "aqlm-3x8-g8": ("aqlm", ["aqlm", "--n-codebooks", "3"]),             # ~3 bits
    "aqlm-2x8-g4": ("aqlm", ["aqlm", "--group", "4"]),                   # 2 codes per 4 weights: ~4 bits
}
JSON = Path(__file__).parent/"aqlm_curve.json"

def command(name, out_root, device):
    cmd = [sys.executable, "-c", "from compressnb.cli import main; main()", "compress", "--model", "smollm2-135m",
           "--method", *POINTS[name][1], "--out", str(Path(out_root)/name)]
    return cmd + (["--device", device] if device else [])

def point(name, out_root, device, shared=0) -> dict:
    """Run one point unless its directory already holds a finished model; its numbers from the saved description. With
    `shared` points running side by side, its time is an upper bound and is marked so."""
    d, ran = Path(out_root)/name, False
    if not (d/"compressnb.json").exists():
        ran = True
        cmd = command(name, out_root, device)
        print("$ compressnb " + " ".join(cmd[3:]), flush=True)
        with open(Path(out_root)/f"{name}.log", "w") as log:
            r = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT)
        if r.returncode: sys.exit(f"aqlm_curve: {name} failed, see {Path(out_root)/name}.log")
    desc = json.loads((d/"compressnb.json").read_text())
    m = desc["metrics"]
    return dict(method=POINTS[name][0], command="compressnb compress --model smollm2-135m --method " + " ".join(POINTS[name][1]),
                perplexity=m["compressed"]["perplexity"], bits=m["linear_bits_per_param"], seconds=m["compress_seconds"],
                baseline=m["baseline"]["perplexity"], protocol=m["compressed"]["protocol"],
                device=device or "cpu", **({"shared_with": shared - 1} if ran and shared > 1 else {}))

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--out-root", required=True); ap.add_argument("--device", default=None)
    ap.add_argument("--only", nargs="*", default=None, help="method families (rtn gptq aqlm) or point names")
    ap.add_argument("--jobs", type=int, default=1, help="points run side by side (on a GPU: several fit at once)")
    a = ap.parse_args()
    Path(a.out_root).mkdir(parents=True, exist_ok=True)
    names = [n for n in POINTS if a.only is None or n in a.only or POINTS[n][0] in a.only]
    shared = min(a.jobs, len(names))
    with ThreadPoolExecutor(a.jobs) as ex: res = dict(zip(names, ex.map(lambda n: point(n, a.out_root, a.device, shared), names)))
    old = json.loads(JSON.read_text()) if JSON.exists() else {}
    JSON.write_text(json.dumps({**old, **res}, indent=1) + "\n")
    print("| point | perplexity | bits / weight | time | device |\n|---|---|---|---|---|")
    for n, r in res.items(): print(f"| {n} | {r['perplexity']:.2f} | {r['bits']:.3f} | {r['seconds']:.0f} s | {r['device']} |")
