"""The package's structure: what importing it costs, and module boundaries."""
import ast, re, subprocess, sys
from pathlib import Path

PKG = Path(__file__).resolve().parent.parent/"compressnb"
MODULES = sorted(p for p in PKG.rglob("*.py") if p.name != "_modidx.py")

def test_import_needs_no_triton_or_numba():
    "Importing the package and every module that is not a GPU kernel loads neither Triton nor Numba."
    mods = [".".join(p.relative_to(PKG.parent).with_suffix("").parts).removesuffix(".__init__") for p in MODULES]
    mods = [m for m in mods if not m.startswith("compressnb.kernels.")]
    code = "import sys\n" + "".join(f"import {m}\n" for m in mods) + "print(sorted(m for m in sys.modules if m.split('.')[0] in ('triton', 'numba')))"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.strip() == "[]", r.stdout

def test_no_private_imports_across_modules():
    "No module imports another module's private (`_name`) definitions."
    bad = []
    for p in MODULES:
        for node in ast.walk(ast.parse(p.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("compressnb")):
                bad += [f"{p.name}: {a.name} from {node.module}" for a in node.names if a.name.startswith("_") and a.name != "__future__"]
    assert not bad, bad

def test_notebooks_import_only_lower_numbers():
    "A notebook's exported module imports only modules of lower-numbered notebooks (the numbering is the dependency order)."
    nbs = {}
    for nb in (PKG.parent/"nbs").glob("[0-9]*.ipynb"):
        m = re.search(r'#\| default_exp ([\w.]+)', nb.read_text())
        n = re.match(r"(\d+)([a-z]?)_", nb.name)                    # 06a < 06b < ... < 07
        if m: nbs[m.group(1).removesuffix(".__init__")] = (int(n.group(1)), n.group(2))
    bad, seen = [], 0
    for p in MODULES:
        mod = ".".join(p.relative_to(PKG).with_suffix("").parts).removesuffix(".__init__")
        if mod not in nbs: continue
        pkg = mod.rpartition(".")[0]
        for node in ast.parse(p.read_text()).body:                     # module-level imports (lazy ones inside functions are fine)
            if not isinstance(node, ast.ImportFrom) or not node.module: continue
            if node.level: dep = ".".join(([pkg] if pkg and node.level == 1 else []) + [node.module])   # from .core / from ..core
            elif node.module.startswith("compressnb."): dep = node.module.removeprefix("compressnb.")
            else: continue
            if dep in nbs:
                seen += 1
                if nbs[dep] >= nbs[mod] and dep != mod: bad.append(f"{mod} ({nbs[mod]}) imports {dep} ({nbs[dep]})")
    assert seen > 20 and not bad, (seen, bad)
