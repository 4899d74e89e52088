"""Execute a tutorial notebook in place so that its outputs (plots, tables) are stored and shown by the docs site.

    python tools/run_tutorial.py nbs/tutorials/02_gptq.ipynb

Outputs that carry no information on a static page are dropped: progress bars and terminal control codes.
"""
import re, sys
from execnb.shell import CaptureShell, read_nb, write_nb

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

def noise(o) -> bool:
    if o.get("output_type") != "stream": return False
    text = o["text"] if isinstance(o["text"], str) else "".join(o["text"])
    text = ANSI.sub("", text)
    return not text.strip() or all(re.search(r"\|[#█ ]*\|", l) or not l.strip() for l in text.replace("\r", "\n").splitlines())

def run(path:str):
    CaptureShell().execute(path, path, exc_stop=True)
    nb = read_nb(path)
    for c in nb.cells:
        if "outputs" in c: c["outputs"] = [o for o in c["outputs"] if not noise(o)]
    write_nb(nb, path)

if __name__ == "__main__":
    for p in sys.argv[1:]: run(p)
