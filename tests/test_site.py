"""The documentation site, built from the notebooks and opened in headless Chromium.

Builds the site with the README's command, serves it on localhost and drives Debian's Chromium through Playwright: every page
loads without console errors, every sidebar link resolves, named API entries are present, math is rendered (MathML with a real
size on the page), and screenshots of the home page and the GPTQ page are saved to `_site/screenshots/`.
"""
import functools, http.server, shutil, subprocess, sys, threading, urllib.request
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "_site"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
API = {"engine.html": ["run_sequential", "collect_stats"], "capture.html": ["capture_block_inputs"], "gptq.html": ["gptq_quantize", "GPTQ"],
       "kernels.wa16.html": ["wa16_matmul", "pack_wa16"], "quant.html": ["QuantLinear", "pack_bits"]}

@pytest.fixture(scope="module")
def site():
    subprocess.run([sys.executable, str(ROOT / "tools" / "build_site.py")], cwd=ROOT, check=True, capture_output=True)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(SITE))
    handler.log_message = lambda *a: None
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as srv:      # Chromium keeps connections open
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        yield f"http://127.0.0.1:{srv.server_address[1]}/"
        srv.shutdown()

@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None: pytest.fail("Chromium is not installed (tools/setup.sh installs Debian's chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()

def pages(): return sorted(str(p.relative_to(SITE)) for p in SITE.rglob("*.html"))

def test_site_pages_load_and_links_resolve(site, browser):
    "Every page loads without console errors; every sidebar link and every link inside the site resolves."
    names = pages()
    assert {"index.html", "gptq.html", "tutorials/first_model.html", "tutorials/gptq.html", "tutorials/kernels.html"} <= set(names), names
    page = browser.new_page()
    errors = []
    page.on("console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    checked = set()
    for name in names:
        r = page.goto(site + name)
        assert r.status == 200, name
        links = page.eval_on_selector_all("#sidebar a", "els => els.map(e => e.href)")
        assert len(links) >= 10, (name, links)
        body = page.eval_on_selector_all("main a[href]", "els => els.map(e => e.href)")
        for href in links + [h for h in body if h.startswith(site)]:
            href = href.split("#")[0]
            if href in checked: continue
            with urllib.request.urlopen(href) as resp: assert resp.status == 200, (name, href)
            checked.add(href)
    assert not errors, errors

def test_api_reference_and_math(site, browser):
    page = browser.new_page()
    for name, entries in API.items():
        page.goto(site + name)
        for e in entries:
            assert page.locator(f'[id="{e.lower()}"], [id="{e}"]').count() > 0, (name, e)
    page.goto(site + "gptq.html")
    n = page.locator("math").count()
    assert n > 5, n
    box = page.locator("math").first.bounding_box()
    assert box and box["width"] > 5 and box["height"] > 5, box      # laid out as math, not left as "$...$" text
    assert "$$" not in page.inner_text("main")
    for tut, n in [("first_model", 2), ("gptq", 4), ("kernels", 2)]:   # the tutorials' plots, from their stored outputs
        page.goto(site + f"tutorials/{tut}.html")
        imgs = page.eval_on_selector_all("main img", "els => els.map(e => e.naturalWidth)")
        assert len(imgs) >= n and min(imgs) > 100, (tut, imgs)
    # links made from backticked names (`GPTQResult`) go to an API entry that exists, on this page or another
    anchors = set()
    for name in API:
        page.goto(site + name)
        hrefs = page.eval_on_selector_all("main a[href]", "els => els.map(e => e.getAttribute('href'))")
        anchors |= {(name, h) for h in hrefs if ".html#" in h and not h.startswith("http") and "#cb" not in h}
    assert len(anchors) >= 5, anchors
    for name, h in sorted(anchors):
        target, frag = h.split("#", 1)
        page.goto(site + target)
        assert page.locator(f'[id="{frag}"]').count() > 0, (name, h)

def test_screenshots(site, browser):
    shots = SITE / "screenshots"
    shots.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    for name, file in (("index.html", "home.png"), ("gptq.html", "gptq.png")):
        page.goto(site + name)
        page.screenshot(path=str(shots / file), full_page=False)
        assert (shots / file).stat().st_size > 10_000
