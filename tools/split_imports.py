"""Move top-level imports out of notebook test cells into cells of their own.

nbdev's docs build (`nbdev-proc-nbs`) executes every cell that contains an import, to make `show_doc` work; a test cell that
starts with an import would run (slowly, or failing for want of earlier cells) during the build. Usage:
    python tools/split_imports.py nbs/*.ipynb nbs/tutorials/*.ipynb
"""
import ast, json, sys, uuid

def split(path) -> int:
    nb = json.load(open(path))
    out, n = [], 0
    for c in nb["cells"]:
        src = "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        if c["cell_type"] != "code" or src.lstrip().startswith("#|"):
            out.append(c); continue
        try: tree = ast.parse(src)
        except SyntaxError: out.append(c); continue
        imps = [s for s in tree.body if isinstance(s, (ast.Import, ast.ImportFrom))]
        rest = [s for s in tree.body if not isinstance(s, (ast.Import, ast.ImportFrom))]
        if not imps or not rest: out.append(c); continue
        lines = src.splitlines(keepends=True)
        imp_lines = set()
        for s in imps: imp_lines.update(range(s.lineno - 1, s.end_lineno))
        a = "".join(l for i, l in enumerate(lines) if i in imp_lines).rstrip("\n")
        b = "".join(l for i, l in enumerate(lines) if i not in imp_lines).strip("\n")
        new = {**c, "id": uuid.uuid4().hex[:8], "source": a, "outputs": [], "execution_count": None}
        c = {**c, "source": b}
        out += [new, c]; n += 1
    nb["cells"] = out
    if n: json.dump(nb, open(path, "w"), indent=1, ensure_ascii=False); open(path, "a").write("\n")
    return n

if __name__ == "__main__":
    for p in sys.argv[1:]:
        k = split(p)
        if k: print(f"{p}: {k} cells split")
