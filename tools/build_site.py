"""Build the documentation site from the notebooks.

    python tools/build_site.py            # -> _site/index.html (open it, or serve the folder)

With Quarto on the PATH this is nbdev's own build (`nbdev-docs`, output in `_docs/`, copied to `_site/`). Without it (these
machines: Quarto cannot be installed offline) the same processed notebooks (`nbdev-proc-nbs`: API reference from `show_doc`,
backticked names linked to their entries) are rendered by pandoc (PyPI `pypandoc_binary`), one page per notebook, with the
sidebar of `nbs/sidebar.yml`, math as MathML (rendered by the browser, no script or network needed) and images embedded.
"""
from __future__ import annotations
import argparse, html, json, re, shutil, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE_URL = "https://compressnb.github.io/compressnb/"

def page_name(nb:str) -> str:
    "nbs-relative notebook path -> page path, as nbdev names them: `04_engine.ipynb` -> `engine.html`."
    p = Path(nb)
    return str(p.with_name(re.sub(r"^\d+[a-zA-Z0-9]*_", "", p.stem) + ".html"))

def sidebar_entries(path:Path) -> list:
    "(section or None, notebook) pairs from nbdev's sidebar.yml (a small YAML subset, read without a YAML library)."
    out, section = [], None
    for line in path.read_text().splitlines():
        s = line.strip()
        if s.startswith("- section:"): section = s.split(":", 1)[1].strip()
        elif s.startswith("- ") and s.endswith(".ipynb"): out.append((section if line.startswith("          ") else None, s[2:].strip()))
    return out

def front_matter(nb:Path) -> dict:
    "title and description from the raw front-matter cell nbdev-proc-nbs writes (`title: ...`)."
    for c in json.loads(nb.read_text())["cells"]:
        src = "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        if c["cell_type"] == "raw" and src.startswith("---"):
            out, key = {}, None
            for l in src.splitlines()[1:]:
                if l.startswith("---"): break
                if l[:1] not in " \t" and ":" in l: key, v = l.split(":", 1); out[key] = v.strip()
                elif key: out[key] += " " + l.strip()
            return {k: v.strip().strip("'\"") for k, v in out.items()}
    return {}

def title_of(nb:Path) -> str:
    if t := front_matter(nb).get("title"): return t
    for c in json.loads(nb.read_text())["cells"]:
        if c["cell_type"] == "markdown":
            for l in "".join(c["source"]).splitlines():
                if l.startswith("# "): return l[2:].strip()
    return nb.stem

def nav_html(entries, titles, here:str) -> str:
    up = "../" * here.count("/")
    parts, current = ['<nav id="sidebar"><a class="brand" href="%sindex.html">compressnb</a><ul>' % up], None
    for section, nb in entries:
        if section != current:
            if current is not None: parts.append("</ul></li>")
            if section is not None: parts.append(f'<li class="section"><span>{html.escape(section)}</span><ul>')
            current = section
        page = page_name(nb)
        cls = ' class="active"' if page == here else ""
        parts.append(f'<li><a{cls} href="{up}{page}">{html.escape(titles.get(nb, nb))}</a></li>')
    if current is not None: parts.append("</ul></li>")
    parts.append("</ul></nav>")
    return "".join(parts)

CSS = """
body{margin:0;font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#222;display:flex}
#sidebar{width:250px;min-height:100vh;background:#f5f6f8;border-right:1px solid #ddd;padding:16px;box-sizing:border-box;flex:none}
#sidebar .brand{font-weight:700;font-size:1.2em;text-decoration:none;color:#1a5fb4}
#sidebar ul{list-style:none;padding-left:0} #sidebar li.section>span{font-weight:600;color:#555;display:block;margin-top:10px}
#sidebar li.section ul{padding-left:10px} #sidebar a{color:#1a5fb4;text-decoration:none} #sidebar a.active{font-weight:700}
main{max-width:960px;padding:24px 40px;box-sizing:border-box;min-width:0;flex:1}
pre{background:#f6f8fa;padding:10px;overflow-x:auto;border-radius:4px} code{font-size:.92em}
table{border-collapse:collapse} td,th{border:1px solid #ddd;padding:3px 8px} img{max-width:100%}
blockquote{color:#555;border-left:4px solid #ddd;margin-left:0;padding-left:12px}
"""

TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>$pagetitle$ - compressnb</title><link rel="icon" href="data:,"><style>$css$</style></head>
<body>$sidebar$<main>
$body$
</main></body></html>
"""

def relink(text:str, here:str) -> str:
    "Links nbdev made absolute (to the public site) point into this site instead."
    up = "../" * here.count("/")
    text = text.replace(f'href="{SITE_URL}', f'href="{up}')
    return re.sub(r'href="([^"#:]+)\.md(#[^"]*)?"', lambda m: f'href="{m.group(1)}.html{m.group(2) or ""}"', text)

def prepare(nb:Path) -> Path:
    """Quarto's cell options, applied for pandoc: `output: asis` cells (show_doc's API entries) become their markdown,
    `echo: false` hides the code, `include: false`/`hide` drops the cell; directive lines are not shown."""
    d = json.loads(nb.read_text())
    cells = []
    for c in d["cells"]:
        src = "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        if c["cell_type"] != "code": cells.append(c); continue
        lines = src.splitlines()
        dirs = {l[3:].split(":")[0].strip(): l[3:].split(":", 1)[1].strip() if ":" in l else "" for l in lines if l.startswith("#| ")}
        body = "\n".join(l for l in lines if not l.startswith("#|"))
        if dirs.get("include") == "false" or "hide" in dirs: continue
        if dirs.get("output") == "asis":
            md = ["".join(o["data"]["text/markdown"]) for o in c.get("outputs", []) if "text/markdown" in o.get("data", {})]
            cells.append({"cell_type": "markdown", "metadata": {}, "source": "\n\n".join(md)}); continue
        if dirs.get("echo") == "false": body = ""
        if not body.strip() and not c.get("outputs"): continue
        outs = []
        for o in c.get("outputs", []):                     # the fields nbformat 4 requires (nbdev-clean drops some)
            if o.get("output_type") in ("display_data", "execute_result"):
                o = {"metadata": {}, **o}
                o["data"] = {k: v for k, v in o.get("data", {}).items() if "widget" not in k}   # no widget state offline
                if o["output_type"] == "execute_result": o = {**o, "execution_count": o.get("execution_count") or 1}   # pandoc wants a number
            outs.append(o)
        cells.append({**c, "source": body, "outputs": outs, "execution_count": c.get("execution_count"), "metadata": c.get("metadata", {})})
    fm = front_matter(nb)
    if fm.get("title"):                                           # the page's heading and summary, as Quarto shows them
        head = f"# {fm['title']}" + (f"\n\n> {fm['description']}" if fm.get("description") else "")
        cells.insert(0, {"cell_type": "markdown", "metadata": {}, "source": head})
    for c in cells:
        if c["cell_type"] == "markdown":
            src = "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            c["source"] = re.sub(r'\{target="_blank"[^}]*\}', "", src)          # Quarto link attributes
    d["cells"] = [c for c in cells if c["cell_type"] != "raw"]
    tmp = nb.with_name(nb.stem + ".site.ipynb")
    tmp.write_text(json.dumps(d))
    return tmp

def build_pandoc(out:Path):
    import pypandoc
    pandoc = pypandoc.get_pandoc_path()
    proc = ROOT / "_proc"
    if proc.exists(): shutil.rmtree(proc)
    subprocess.run(["nbdev-proc-nbs"], cwd=ROOT, check=True)
    entries = sidebar_entries(ROOT / "nbs" / "sidebar.yml")
    nbs = sorted(str(p.relative_to(proc)) for p in proc.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    listed = {nb for _, nb in entries}
    entries += [("Other", nb) for nb in nbs if nb not in listed]
    titles = {nb: title_of(proc / nb) for nb in nbs}
    if out.exists(): shutil.rmtree(out)
    out.mkdir(parents=True)
    tpl = out.parent / f".{out.name}-template.html"
    tpl.write_text(TEMPLATE)
    try:
        for nb in nbs:
            here = page_name(nb)
            dest = out / here
            dest.parent.mkdir(parents=True, exist_ok=True)
            up = "../" * here.count("/")
            subprocess.run([pandoc, "-f", "ipynb+tex_math_dollars", "-t", "html5", "--mathml", "--standalone", "--embed-resources",
                            "--template", str(tpl), "--metadata", f"pagetitle={titles[nb]}", "-V", f"css={CSS}",
                            "-V", f"sidebar={nav_html(entries, titles, here)}", "--resource-path", str((proc / nb).parent),
                            "-o", str(dest), str(prepare(proc / nb))], check=True)
            dest.write_text(relink(dest.read_text(), here))
            print(f"  {nb} -> {here}")
    finally: tpl.unlink(missing_ok=True)
    fix_anchors(out)

def fix_anchors(out:Path):
    "A link to an entry that has no anchor (a private name without API docs) points to the entry's page instead."
    ids = {str(p.relative_to(out)): set(re.findall(r'id="([^"]+)"', p.read_text())) for p in out.rglob("*.html")}
    n = 0
    for p in out.rglob("*.html"):
        here = str(p.relative_to(out))
        def fix(m):
            nonlocal n
            target = str((Path(here).parent / m.group(1))).replace("\\", "/")
            target = str(Path(target)) if not target.startswith("..") else target
            tgt = target[3:] if target.startswith("../") else target
            if tgt in ids and m.group(2) not in ids[tgt]: n += 1; return f'href="{m.group(1)}"'
            return m.group(0)
        p.write_text(re.sub(r'href="([^"#:]+\.html)#([^"]+)"', fix, p.read_text()))
    if n: print(f"  {n} links to entries without an anchor now point to their page")

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "_site"))
    ap.add_argument("--no-quarto", action="store_true", help="use the pandoc build even where Quarto is installed")
    a = ap.parse_args()
    out = Path(a.out)
    if shutil.which("quarto") and not a.no_quarto:
        subprocess.run(["nbdev-docs"], cwd=ROOT, check=True)
        if out.exists(): shutil.rmtree(out)
        shutil.copytree(ROOT / "_docs", out)
    else: build_pandoc(out)
    print(f"site built: {out / 'index.html'}")

if __name__ == "__main__": main()
