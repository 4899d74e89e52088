"""Execute notebooks in place so that their outputs (prints, tables, plots, explorers) are stored and shown by the docs site.

    python tools/run_notebooks.py nbs/11_gptq.ipynb nbs/tutorials/02_gptq.ipynb
    python tools/run_notebooks.py --all          # every notebook under nbs/ (about 25 minutes on 2 cores)

Every cell runs, `#| slow` ones included; the outputs of a slow cell are labelled with this command, the machine and the
date, because the test run skips those cells and would not reproduce them. A `#| cuda` cell runs only where a CUDA GPU is
(labelled with the GPU's name); elsewhere it keeps the output recorded on a GPU. Outputs that carry no information on a static
page are dropped: progress bars, warnings on stderr, terminal control codes. Several notebooks run one process each (in
one process, the sparsity tutorial's decoding measured 1.15x after the two-bit tutorial and the eval notebook, 1.93x
alone). Run `nbdev-clean` afterwards.
"""
import datetime, os, platform, re, sys
from pathlib import Path

os.environ.update(TQDM_DISABLE="1", HF_HUB_DISABLE_PROGRESS_BARS="1", TRANSFORMERS_VERBOSITY="error",
                  PYTHONWARNINGS="ignore", TOKENIZERS_PARALLELISM="false")
os.environ.setdefault("TRITON_INTERPRET", "1")
from execnb.shell import CaptureShell, read_nb, write_nb

ROOT = Path(__file__).resolve().parent.parent
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
NOISE = re.compile(r"\|[#█▏▎▍▌▋▊▉ ]*\||\d+%\||it/s\]|s/it\]|/batch\]|Warning|warn\(|^\s*$")

def noise(o) -> bool:
    "A stream output that is only progress bars, warnings or blank lines."
    if o.get("output_type") != "stream": return False
    text = ANSI.sub("", o["text"] if isinstance(o["text"], str) else "".join(o["text"]))
    lines = text.replace("\r", "\n").splitlines()
    return not text.strip() or (o.get("name") == "stderr" and all(NOISE.search(l) for l in lines))

def cpu_name() -> str:
    try: return next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration): return platform.processor() or platform.machine()

def flagged(c, flag:str) -> bool: return c.get("cell_type") == "code" and bool(re.search(rf"^#\|\s*{flag}\b", c["source"], re.M))

def label(path:str, flag:str) -> dict:
    "A markdown output saying where a slow or GPU cell's recorded output comes from."
    import torch
    rel = os.path.relpath(path, ROOT)
    where = (f"{torch.cuda.get_device_name()}, `TRITON_INTERPRET={os.environ['TRITON_INTERPRET']}`" if flag == "cuda" else
             f"{cpu_name()}, {torch.get_num_threads()} threads")
    text = (f"*Recorded output* (a `#| {flag}` cell): `python tools/run_notebooks.py {rel}` on {where}, "
            f"{datetime.date.today().isoformat()}.")
    return {"output_type": "display_data", "metadata": {}, "data": {"text/markdown": text, "text/plain": text}}

def run(path:str):
    import torch
    skip = lambda c: flagged(c, "cuda") and not torch.cuda.is_available()      # keeps the output recorded on a GPU
    path, here = os.path.abspath(path), os.getcwd()
    nb = read_nb(path)
    ran = [c for c in nb.cells if not skip(c)]
    os.chdir(os.path.dirname(path))                                     # as nbdev-test runs it: relative paths from the notebook
    try: CaptureShell().run_all(nb, exc_stop=True, preproc=skip)
    finally: os.chdir(here)
    for c in ran:
        if "outputs" not in c: continue
        c["outputs"] = [o for o in c["outputs"] if not noise(o)]
        for flag in ("slow", "cuda"):
            if flagged(c, flag): c["outputs"].append(label(path, flag))
    write_nb(nb, path)

if __name__ == "__main__":
    paths = sys.argv[1:]
    if paths == ["--all"]: paths = sorted(str(p) for p in (ROOT / "nbs").rglob("*.ipynb") if ".ipynb_checkpoints" not in str(p))
    if len(paths) == 1: print(paths[0], flush=True); run(paths[0])
    else:   # each in its own process: a notebook's models, threads and memory must not slow the timings of the next
        import subprocess
        for p in paths: subprocess.run([sys.executable, __file__, p], check=True)
