"""The documentation site, built from the notebooks and opened in headless Chromium.

Builds the site with the README's command, serves it on localhost and drives Debian's Chromium through Playwright. Each
check is a function that returns the problems it finds; the site must have none, and each check is shown to fail on a
copy of the site with a fault planted on purpose (raw LaTeX, a dead anchor, blank plots, a widget repr, an empty print
output, a page without search or contents, a page wider than a phone, an empty search index). Screenshots of the home
page, a method page, a tutorial and the CLI page at 1280 px and 390 px are saved to `_site/screenshots/`.
"""
import base64, contextlib, functools, http.server, re, shutil, subprocess, sys, threading
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "_site"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
SHOTS = {"home": "index.html", "method": "gptq.html", "tutorial": "tutorials/gptq.html", "cli": "cli_reference.html"}

@contextlib.contextmanager
def serve(folder:Path):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a): pass
    handler = functools.partial(Quiet, directory=str(folder))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as srv:
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        try: yield f"http://127.0.0.1:{srv.server_address[1]}/"
        finally: srv.shutdown()

@pytest.fixture(scope="module")
def built():
    r = subprocess.run([sys.executable, str(ROOT / "tools" / "build_site.py")], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return SITE

@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None: pytest.fail("Chromium is not installed (tools/test.sh installs Debian's chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()

def pages(folder:Path) -> list:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.html")
                  if not p.relative_to(folder).parts[0].startswith("_") and p.name not in ("genindex.html", "search.html"))

# ---- the checks: each returns a list of problems, empty when the site is right
ARTICLE_TEXT = """() => { const a = document.querySelector('article') || document.body; const c = a.cloneNode(true);
  c.querySelectorAll('pre, code, math, script, style').forEach(e => e.remove()); return c.innerText; }"""
RAW_TEX = re.compile(r"\$[^$\s][^$]*\$|\\\(|\\\[|\\(frac|mathbb|operatorname|sum|hat|top)\b")
IMAGE_SPREAD = """async () => { const out = [];
  for (const img of document.querySelectorAll('article img')) {
    await img.decode().catch(() => null);
    const c = document.createElement('canvas'); const w = c.width = Math.min(img.naturalWidth, 400), h = c.height = Math.min(img.naturalHeight, 300);
    if (!w || !h) { out.push([img.src.slice(0, 60), 0]); continue; }
    const g = c.getContext('2d'); g.drawImage(img, 0, 0, w, h); const d = g.getImageData(0, 0, w, h).data;
    let s = 0, s2 = 0, n = d.length / 4;
    for (let i = 0; i < d.length; i += 4) { const v = (d[i] + d[i+1] + d[i+2]) / 3; s += v; s2 += v * v; }
    out.push([img.src.slice(0, 60), Math.sqrt(Math.max(0, s2 / n - (s / n) ** 2))]); }
  return out; }"""
EMPTY_PRINTS = """() => [...document.querySelectorAll('div.cell')].filter(c => {
  const src = c.querySelector('.cell_input'); if (!src || !/\\bprint\\(/.test(src.innerText)) return false;
  const out = c.querySelector('.cell_output'); return !out || (!out.innerText.trim() && !out.querySelector('img'));
}).map(c => c.querySelector('.cell_input').innerText.slice(0, 60))"""

def check_pages(browser, base:str, names:list) -> dict:
    "Search, contents, raw LaTeX, widget reprs, empty print outputs and blank images on every page."
    probs = {k: [] for k in ("search", "contents", "latex", "widget", "empty output", "image")}
    page = browser.new_page()
    for n in names:
        page.goto(base + n)
        if page.locator(".search-button, form.bd-search, input[type=search]").count() == 0: probs["search"].append(n)
        if page.locator(".bd-toc-nav a, nav.bd-docs-nav a, .bd-sidenav a, .toctree-wrapper a").count() == 0: probs["contents"].append(n)
        text = page.evaluate(ARTICLE_TEXT)
        if m := RAW_TEX.search(text): probs["latex"].append((n, m.group(0)))
        if re.search(r"interactive\(children=|IntSlider\(|Dropdown\(|Output\(\)", text): probs["widget"].append(n)
        probs["empty output"] += [(n, s) for s in page.evaluate(EMPTY_PRINTS)]
        probs["image"] += [(n, src, round(sd, 2)) for src, sd in page.evaluate(IMAGE_SPREAD) if sd < 3]
    page.close()
    return probs

def check_anchors(browser, base:str, names:list) -> list:
    "Every link inside the site reaches a page that has the element its #fragment names."
    page, ids, links = browser.new_page(), {}, []
    for n in names:
        page.goto(base + n)
        ids[page.url.split("#")[0]] = set(page.eval_on_selector_all("[id]", "es => es.map(e => e.id)"))
        links += [(n, h) for h in page.eval_on_selector_all("article a[href]", "es => es.map(e => e.href)") if h.startswith(base)]
    bad = []
    for n, h in links:
        url, _, frag = h.partition("#")
        if url not in ids:
            r = page.goto(url)
            if r is None or r.status != 200: bad.append((n, h)); continue
            ids[url] = set(page.eval_on_selector_all("[id]", "es => es.map(e => e.id)"))
        if frag and frag not in ids[url]: bad.append((n, h))
    page.close()
    return bad

def check_mobile(browser, base:str, names:list) -> list:
    "Pages that scroll sideways on a 390 px phone."
    page, wide = browser.new_page(viewport={"width": 390, "height": 844}), []
    for n in names:
        page.goto(base + n)
        w = page.evaluate("document.documentElement.scrollWidth")
        if w > 392: wide.append((n, w))
    page.close()
    return wide

def check_search(browser, base:str, words=("GPTQ", "act-order")) -> list:
    "Words the site's own search does not find."
    page, missing = browser.new_page(), []
    for w in words:
        page.goto(base + f"search.html?q={w}")
        try: page.wait_for_selector("#search-results li", timeout=15000)
        except Exception: missing.append(w)
    page.close()
    return missing

# ---- the site as built
def test_site_has_no_faults(built, browser):
    names = pages(built)
    assert {"index.html", "gptq.html", "cli_reference.html", "which_method.html", "tutorials/first_model.html"} <= set(names), names
    with serve(built) as base:
        probs = check_pages(browser, base, names)
        assert not any(probs.values()), {k: v for k, v in probs.items() if v}
        assert not (bad := check_anchors(browser, base, names)), bad
        assert not (wide := check_mobile(browser, base, names)), wide
        assert not (missing := check_search(browser, base)), missing

def test_api_entries_and_math(built, browser):
    "Entries for functions, classes, their methods and dataclass fields; math laid out as MathML."
    with serve(built) as base:
        page = browser.new_page()
        page.goto(base + "gptq.html")
        for e in ["compressnb.gptq.gptq_quantize", "compressnb.gptq.GPTQ", "compressnb.gptq.GPTQ.compress_layer",
                  "compressnb.gptq.GPTQResult", "compressnb.gptq.GPTQResult.scale"]:
            assert page.locator(f'[id="{e}"]').count() == 1, e
        assert "def GPTQResult" not in page.inner_text("article")
        box = page.locator("math").first.bounding_box()
        assert page.locator("math").count() > 5 and box["width"] > 5 and box["height"] > 5
        page.goto(base + "quant.html")
        assert page.locator('[id="compressnb.quant.QuantLinear.dequantize"]').count() == 1
        page.goto(base + "layers.html")                                     # forward is the base class's, documented there
        assert page.locator('[id="compressnb.layers.CompressedLinear.forward"]').count() == 1
        page.goto(base + "cli_reference.html")
        text = page.inner_text("article")
        for flag in ["--method", "--bits", "--group-size", "--sparsity", "--eval-text", "--format", "--prompt"]: assert flag in text, flag
        page.goto(base + "tutorials/first_model.html")                       # the explorer: menus that swap the figure
        ex = page.locator(".explorer").first
        first = ex.locator("img").get_attribute("src")
        ex.locator("select").first.select_option(index=0)
        assert ex.locator("img").get_attribute("src") != first
        page.close()

def test_every_public_name_has_an_entry(built):
    "Every exported function and class, and every public method of an exported class, has an API entry on some page."
    import importlib, inspect, pkgutil, compressnb
    ids = set()
    for p in built.rglob("*.html"): ids |= set(re.findall(r'id="(compressnb\.[^"]+)"', p.read_text(errors="replace")))
    missing = []
    for m in pkgutil.walk_packages(compressnb.__path__, "compressnb."):
        if m.name.endswith("_modidx"): continue
        mod = importlib.import_module(m.name)
        for n in getattr(mod, "__all__", []):
            o = getattr(mod, n, None)
            if not ((inspect.isfunction(o) or inspect.isclass(o)) and o.__module__ == mod.__name__): continue
            name = f"{mod.__name__}.{n}".replace(".__init__", "")
            missing += [name] * (name not in ids)
            if inspect.isclass(o):
                missing += [f"{name}.{k}" for k, v in vars(o).items() if not k.startswith("_") and k != "extra_repr"
                            and (inspect.isfunction(v) or isinstance(v, (classmethod, staticmethod, property))) and f"{name}.{k}" not in ids]
    assert not missing, missing

def test_screenshots(built, browser):
    shots = built / "screenshots"
    shots.mkdir(exist_ok=True)
    with serve(built) as base:
        for width in (1280, 390):
            page = browser.new_page(viewport={"width": width, "height": 900})
            for name, path in SHOTS.items():
                page.goto(base + path)
                f = shots / f"{name}-{width}.png"
                page.screenshot(path=str(f))
                assert f.stat().st_size > 10_000, f
            page.close()

# ---- every check fails on a fault planted in a copy of the site
def white_png(w:int=64, h:int=48) -> str:
    "A blank white PNG as a data URL (what a plot that failed to draw looks like)."
    import struct, zlib
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    raw = b"".join(b"\x00" + b"\xff" * (3 * w) for _ in range(h))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    return "data:image/png;base64," + base64.b64encode(png).decode()

def plant(built:Path, tmp:Path, page:str, edit) -> Path:
    site = tmp / "site"
    if not site.exists(): shutil.copytree(built, site, ignore=shutil.ignore_patterns("screenshots"))
    p = site / page
    p.write_text(edit(p.read_text()))
    return site

def add_to_article(html:str, snippet:str) -> str: return re.sub(r"(<article[^>]*>)", lambda m: m.group(1) + snippet, html, count=1)

def soup_edit(fn):
    "An edit of a page's HTML made on its parsed tree (BeautifulSoup, installed with myst-nb)."
    def edit(html:str) -> str:
        from bs4 import BeautifulSoup
        soup = BeautifulSoup(html, "html.parser"); fn(soup); return str(soup)
    return edit

def _drop_print_outputs(soup):
    for cell in soup.select("div.cell"):
        if (i := cell.select_one(".cell_input")) and "print(" in i.get_text():
            for o in cell.select(".cell_output"): o.decompose()

def _blank_images(soup):
    for img in soup.select("article img"): img["src"] = white_png()

def _remove(selector):
    return lambda soup: [e.decompose() for e in soup.select(selector)]

FAULTS = {
    "latex": ("gptq.html", lambda h: add_to_article(h, r"<p>$\frac{1}{2$</p>")),
    "widget": ("tutorials/gptq.html", lambda h: add_to_article(h, "<p>interactive(children=(IntSlider(value=3, description='bits'), Output()))</p>")),
    "empty output": ("gptq.html", soup_edit(_drop_print_outputs)),
    "image": ("tutorials/gptq.html", soup_edit(_blank_images)),
    "search": ("gptq.html", soup_edit(_remove(".search-button, form.bd-search, input[type=search]"))),
    "contents": ("gptq.html", soup_edit(_remove(".bd-toc-nav, nav.bd-docs-nav, .bd-sidenav, .toctree-wrapper"))),
}

@pytest.mark.parametrize("fault", list(FAULTS))
def test_page_checks_fail_on_planted_faults(built, browser, tmp_path, fault):
    page, edit = FAULTS[fault]
    site = plant(built, tmp_path, page, edit)
    with serve(site) as base:
        probs = check_pages(browser, base, [page])
    assert probs[fault], (fault, probs)

def test_anchor_check_fails_on_a_dead_anchor(built, browser, tmp_path):
    site = plant(built, tmp_path, "gptq.html", lambda h: add_to_article(h, '<a href="quant.html#no-such-entry">x</a>'))
    with serve(site) as base: assert check_anchors(browser, base, ["gptq.html"]) == [("gptq.html", base + "quant.html#no-such-entry")]

def test_mobile_check_fails_on_a_wide_page(built, browser, tmp_path):
    wide = '<div style="width:1400px;height:4px;background:#888"></div>'       # outside the article, which scrolls by itself
    site = plant(built, tmp_path, "gptq.html", lambda h: re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + wide, h, count=1))
    with serve(site) as base: assert check_mobile(browser, base, ["gptq.html"])

def test_search_check_fails_on_an_empty_index(built, browser, tmp_path):
    empty = ('Search.setIndex({"alltitles":{},"docnames":[],"envversion":{},"filenames":[],"indexentries":{},"objects":{},'
             '"objnames":{},"objtypes":{},"terms":{},"titles":[],"titleterms":{}})')
    site = plant(built, tmp_path, "searchindex.js", lambda s: empty)
    with serve(site) as base: assert check_search(browser, base) == ["GPTQ", "act-order"]
