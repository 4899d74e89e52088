"""Build the documentation site from the notebooks.

    python tools/build_site.py            # -> _site/index.html (serve the folder, or open the file)

With Quarto on the PATH this is nbdev's own build (`nbdev-docs`, output in `_docs/`, copied to `_site/`). Without it (these
machines) nbdev's processed notebooks (`nbdev-proc-nbs`) are staged into `_build/src` and rendered by Sphinx with myst-nb
and pydata-sphinx-theme (configuration: `docs/conf.py`): pages show the outputs stored in the notebooks, API entries are
autodoc's, and a link to an entry that does not exist fails the build, as does any link or anchor inside the site that
does not resolve.
"""
from __future__ import annotations
import argparse, importlib, json, posixpath, re, shutil, subprocess, sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
SITE_URL = "https://compressnb.github.io/compressnb/"
EXTRA = ["which_method.md", "cli_reference.md"]           # pages written in docs/ (the CLI page is generated below)

def page_name(nb:str) -> str:
    "nbs-relative notebook path -> page path without suffix, as nbdev names them: `11_gptq.ipynb` -> `gptq`."
    p = Path(nb)
    return str(p.with_name(re.sub(r"^\d+[a-zA-Z0-9]*_", "", p.stem)))

def sidebar_entries(path:Path) -> list:
    "(section or None, notebook) pairs from nbdev's sidebar.yml (a small YAML subset, read without a YAML library)."
    out, section = [], None
    for line in path.read_text().splitlines():
        s = line.strip()
        if s.startswith("- section:"): section = s.split(":", 1)[1].strip()
        elif s.startswith("- ") and (s.endswith(".ipynb") or s.endswith(".md")):
            out.append((section if line.startswith("          ") else None, s[2:].strip()))
    return out

def front_matter(cell_src:str) -> dict:
    out, key = {}, None
    for l in cell_src.splitlines()[1:]:
        if l.startswith("---"): break
        if l[:1] not in " \t" and ":" in l: key, v = l.split(":", 1); out[key] = v.strip()
        elif key: out[key] += " " + l.strip()
    return {k: v.strip().strip("'\"") for k, v in out.items()}

def api_names() -> dict:
    "Anchor nbdev gives an entry (`gptq.html#gptq.compress_layer`) -> the entry's full name (`compressnb.gptq.GPTQ.compress_layer`)."
    from compressnb._modidx import d
    return {url: name for mod in d["syms"].values() for name, (url, _) in mod.items()}

class Stager:
    "Turns one processed notebook into a page for myst-nb: front matter as a heading, show_doc cells as autodoc entries."
    def __init__(self, pages:set):
        self.pages, self.api, self.documented = pages, api_names(), set()

    def entry(self, name:str, module:str|None) -> str:
        "An autodoc directive for the object `show_doc(name)` documents: looked up in the notebook's module, else by its name."
        import pkgutil
        full = f"{module}.{name}" if module else None
        try: obj = pkgutil.resolve_name(full) if full else None
        except (ImportError, AttributeError): obj = None
        if obj is None:
            full = next((n for n in self.api.values() if n.endswith("." + name)), None)
            if full is None: raise SystemExit(f"site build: show_doc({name}) documents something compressnb does not export")
            obj = pkgutil.resolve_name(full)
        kind = ("autoclass" if isinstance(obj, type) else "autodata" if not callable(obj)
                else "automethod" if "." in name else "autofunction")
        opts = [":no-index:"] if full in self.documented or kind == "automethod" else []
        self.documented.add(full)
        return "\n".join(["```{eval-rst}", f".. {kind}:: {full}", *("   " + o for o in opts), "```"])   # autodoc writes rST

    def link(self, m) -> str:
        "A markdown link nbdev made: to an API entry -> a cross-reference (which must resolve); to a page -> that page."
        text, path, anchor = m.group(1), m.group(3), m.group(4)
        if anchor and (full := self.api.get(f"{path}.html#{anchor}")):
            if any(p.startswith("_") for p in full.split(".")): return text     # private: named, with no entry to link
            return f"{{py:obj}}`{text.strip('`')} <{full}>`"
        path = posixpath.normpath(posixpath.join(posixpath.dirname(self.page), path)) if not m.group(2) else path
        if path in self.pages: return f"[{text}]({self.up}{path}.ipynb{'#' + anchor if anchor else ''})"
        if path in (p[:-3] for p in EXTRA): return f"[{text}]({self.up}{path}.md{'#' + anchor if anchor else ''})"
        return m.group(0)

    def stage(self, src:Path, dest:Path, page:str, module:str|None):
        d = json.loads(src.read_text())
        self.up, self.page = "../" * page.count("/"), page
        cells = []
        for c in d["cells"]:
            s = "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            if c["cell_type"] == "raw":
                if s.startswith("---"):
                    fm = front_matter(s)
                    head = f"# {fm.get('title', page)}" + (f"\n\n{fm['description']}" if fm.get("description") else "")
                    cells.append({"cell_type": "markdown", "metadata": {}, "source": head})
                continue
            if c["cell_type"] == "markdown":
                if s.startswith("<!-- WARNING"): continue
                s = re.sub(r'\{target="_blank"[^}]*\}', "", s)
                s = re.sub(r"[ \t]*\$\$(.+?)\$\$[ \t]*\n?", lambda m: f"\n\n$${m.group(1).strip()}$$\n\n", s, flags=re.S)   # display math: its own block
                s = re.sub(r"\[([^\]]+)\]\((" + re.escape(SITE_URL) + r"|)([\w./-]+?)\.(?:html|md)(?:#([\w.\-]+))?\)", self.link, s)
                cells.append({**c, "source": s}); continue
            lines = s.splitlines()
            dirs = {l[3:].split(":")[0].strip(): l[3:].split(":", 1)[1].strip() if ":" in l else "" for l in lines if l.startswith("#| ")}
            body = "\n".join(l for l in lines if not l.startswith("#|"))
            if dirs.get("include") == "false" or "hide" in dirs: continue
            if dirs.get("output") == "asis" and (m := re.match(r"\s*show_doc\(([\w.]+)", body)):
                cells.append({"cell_type": "markdown", "metadata": {}, "source": self.entry(m.group(1), module)}); continue
            tags = (["remove-input"] if dirs.get("echo") == "false" else []) + (["remove-output"] if dirs.get("output") == "false" else [])
            outs = []
            for o in c.get("outputs", []):                                      # the fields nbformat 4 requires
                if o.get("output_type") in ("display_data", "execute_result"):
                    o = {"metadata": {}, **o}
                    if o["output_type"] == "execute_result": o.setdefault("execution_count", None)
                outs.append(o)
            cells.append({"cell_type": "code", "execution_count": None, "metadata": {"tags": tags} if tags else {},
                          "source": body, "outputs": outs})
        for i, c in enumerate(cells): c["id"] = f"cell-{i}"
        d["cells"], d["nbformat"], d["nbformat_minor"] = cells, 4, 5
        d.setdefault("metadata", {})["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(json.dumps(d))

def default_exp(nb:Path) -> str|None:
    for c in json.loads(nb.read_text())["cells"]:
        if m := re.search(r"^#\|\s*default_exp\s+(\S+)", "".join(c["source"]), re.M): return re.sub(r"\.__init__$", "", "compressnb." + m.group(1))
    return None

def cli_reference() -> str:
    "The CLI page: every subcommand's and every method's `--help`, as the parser prints it."
    from compressnb.engine import METHODS
    from compressnb.recipes import load_builtin_methods
    load_builtin_methods()
    def helptext(*args):
        r = subprocess.run([sys.executable, "-c", "from compressnb.cli import main; main()", *args], capture_output=True, text=True, cwd=ROOT)
        return (r.stdout + r.stderr).strip()
    out = ["# Command line reference", "",
           "Generated from the command's own parsers when the site is built: every subcommand and every flag, with its "
           "default and help. `compressnb compress --method NAME --help` adds the settings of that method.", "",
           "```text", helptext("--help"), "```", ""]
    for cmd in ("compress", "eval", "export", "generate"):
        out += [f"## compressnb {cmd}", "", "```text", helptext(cmd, "--help"), "```", ""]
    out += ["## Method settings", ""]
    for m in sorted(METHODS):
        settings = helptext("compress", "--method", m, "--help").split(f"settings of {m}:", 1)[-1]
        out += [f"### {m}", "", (METHODS[m].__doc__ or "").strip().splitlines()[0], "", "```text",
                "\n".join(l for l in settings.splitlines() if l.strip()) or "(no settings)", "```", ""]
    example = ROOT / "docs" / "cli_example.md"
    if example.exists(): out += [example.read_text()]
    return "\n".join(out)

class _Links(HTMLParser):
    def __init__(self):
        super().__init__(); self.ids, self.hrefs = set(), []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"): self.ids.add(a["id"])
        if tag == "a" and a.get("name"): self.ids.add(a["name"])
        for k in ("href", "src"):
            if a.get(k) and (tag != "link" or k == "href"): self.hrefs.append(a[k])

def check_links(out:Path) -> list:
    "Links and anchors inside the site that do not resolve: `[(page, href)]`."
    parsed = {}
    for p in out.rglob("*.html"):
        if p.relative_to(out).parts[0].startswith("_"): continue                # the theme's own templates
        h = _Links(); h.feed(p.read_text(errors="replace")); parsed[p.relative_to(out).as_posix()] = h
    bad = []
    for page, h in parsed.items():
        for href in h.hrefs:
            u = urlsplit(href)
            if u.scheme or href.startswith(("//", "data:", "mailto:", "javascript:")): continue
            target = urlsplit(urljoin(f"http://site/{page}", href)).path.lstrip("/") or "index.html"
            if target.endswith("/"): target += "index.html"
            if not (out / target).exists(): bad.append((page, href)); continue
            if u.fragment and target in parsed and u.fragment not in parsed[target].ids: bad.append((page, href))
    return bad

def build_sphinx(out:Path, reuse_proc:bool=False):
    proc, src = ROOT / "_proc", ROOT / "_build" / "src"
    if src.exists(): shutil.rmtree(src)
    if not (reuse_proc and proc.exists()):
        if proc.exists(): shutil.rmtree(proc)
        subprocess.run(["nbdev-proc-nbs"], cwd=ROOT, check=True, capture_output=True)
    entries = sidebar_entries(ROOT / "nbs" / "sidebar.yml")
    nbs = [nb for _, nb in entries if nb.endswith(".ipynb")]
    stager = Stager({page_name(nb) for nb in nbs})
    for nb in nbs:
        stager.stage(proc / nb, src / (page_name(nb) + ".ipynb"), page_name(nb), default_exp(ROOT / "nbs" / nb))
    (src / "cli_reference.md").write_text(cli_reference())
    shutil.copy(ROOT / "docs" / "which_method.md", src / "which_method.md")
    sections = {}                                                             # one page per sidebar section, listing its pages
    for section, nb in [("Guides", p) for p in EXTRA] + entries[1:]:
        sections.setdefault(section or "More", []).append("/" + (page_name(nb) if nb.endswith(".ipynb") else nb[:-3]))
    (src / "sections").mkdir()
    for name, docs in sections.items():
        slug = re.sub(r"\W+", "-", name.lower())
        (src / "sections" / f"{slug}.md").write_text("\n".join([f"# {name}", "", "```{toctree}", ":maxdepth: 1", *docs, "```", ""]))
    toc = ["## Contents", "", "```{toctree}", ":maxdepth: 2", *("sections/" + re.sub(r"\W+", "-", n.lower()) for n in sections), "```"]
    home = json.loads((src / "index.ipynb").read_text())
    home["cells"].append({"cell_type": "markdown", "metadata": {}, "source": "\n".join(toc), "id": "cell-toc"})
    (src / "index.ipynb").write_text(json.dumps(home))
    html = ROOT / "_build" / "html"                                          # myst-nb writes beside it (_build/jupyter_execute)
    if html.exists(): shutil.rmtree(html)
    r = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", "-n", "-W", "--keep-going", "-j", "2",
                        "-d", str(ROOT / "_build" / "doctrees"), "-c", str(ROOT / "docs"), str(src), str(html)], cwd=ROOT)
    if r.returncode: raise SystemExit("site build: Sphinx reported the warnings above (a missing API entry, a broken reference, ...)")
    if bad := check_links(html):
        raise SystemExit("site build: links that do not resolve:\n" + "\n".join(f"  {p}: {h}" for p, h in bad[:40]))
    if out.exists(): shutil.rmtree(out)
    shutil.move(str(html), str(out))

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "_site"))
    ap.add_argument("--no-quarto", action="store_true", help="use the Sphinx build even where Quarto is installed")
    ap.add_argument("--reuse-proc", action="store_true", help="keep _proc/ from the last build (when only docs/ or this file changed)")
    a = ap.parse_args()
    out = Path(a.out)
    if shutil.which("quarto") and not a.no_quarto:
        subprocess.run(["nbdev-docs"], cwd=ROOT, check=True)
        if out.exists(): shutil.rmtree(out)
        shutil.copytree(ROOT / "_docs", out)
    else: build_sphinx(out, a.reuse_proc)
    print(f"site built: {out / 'index.html'}")

if __name__ == "__main__": main()
