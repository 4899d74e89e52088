"""Write README.md from nbs/index.ipynb (the docs home page), without Quarto.

nbdev's own `nbdev-readme` renders through Quarto, which cannot be installed on machines without internet access, so this
script does the small part we need: markdown cells verbatim, code cells as Python blocks, text outputs as plain blocks;
cells flagged `#| hide` are left out.
"""
import json, sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent

def render(nb_path) -> str:
    nb = json.loads(Path(nb_path).read_text())
    parts = []
    for c in nb["cells"]:
        src = "".join(c["source"])
        if c["cell_type"] == "markdown": parts.append(src.strip()); continue
        if c["cell_type"] != "code" or src.lstrip().startswith("#| hide"): continue
        lines = [l for l in src.splitlines() if not l.startswith("#|")]
        parts.append("```python\n" + "\n".join(lines).strip() + "\n```")
        for o in c.get("outputs", []):
            text = "".join(o.get("text", "") or o.get("data", {}).get("text/plain", ""))
            if text.strip(): parts.append("```\n" + text.rstrip() + "\n```")
    return "<!-- generated from nbs/index.ipynb by tools/readme.py: edit the notebook, not this file -->\n\n" + "\n\n".join(parts) + "\n"

if __name__ == "__main__":
    (root/"README.md").write_text(render(root/"nbs"/"index.ipynb"))
