"""tools/offline_bundle.py: the cache packed into small parts arrives whole, in any order, and a damaged part is refused."""
import os, subprocess, sys
from pathlib import Path

TOOL = Path(__file__).resolve().parent.parent/"tools"/"offline_bundle.py"

def run(*args, cache):
    return subprocess.run([sys.executable, str(TOOL), *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, "COMPRESSNB_CACHE": str(cache)})

def fake_cache(root:Path) -> dict:
    files = {"pypi/pkg-1.0/model.bin": os.urandom(50_000), "pypi/pkg-1.0/.complete": b"",
             "texts/austen/emma.txt": os.urandom(7_000), "models/converted/skip.bin": os.urandom(1000)}
    for rel, data in files.items(): (root/rel).parent.mkdir(parents=True, exist_ok=True); (root/rel).write_bytes(data)
    return files

def test_parts_arrive_in_any_order(tmp_path):
    files = fake_cache(tmp_path/"here")
    r = run("pack", "--out", tmp_path/"bundle", "--part-mb", 0.01, cache=tmp_path/"here")
    assert r.returncode == 0, r.stderr
    parts = sorted((tmp_path/"bundle").glob("p*"))
    assert len(parts) >= 5 and all((p/"chunk").stat().st_size <= 0.01 * 2**20 for p in parts)
    there, site = tmp_path/"there", tmp_path/"site"
    for p in reversed(parts[1:]):
        r = run("unpack", p, "--cache", there, "--site", site, cache=there)
        assert r.returncode == 0 and "kept" in r.stdout, r.stdout + r.stderr
        assert not (there/"pypi").exists()                         # nothing extracted before every part is in
    r = run("unpack", parts[0], "--cache", there, "--site", site, cache=there)
    assert r.returncode == 0 and "complete" in r.stdout, r.stdout + r.stderr
    for rel, data in files.items():
        if rel.startswith("models/"): assert not (there/rel).exists()   # converted models are rebuilt there, not carried
        else: assert (there/rel).read_bytes() == data

def test_damaged_part_is_refused(tmp_path):
    fake_cache(tmp_path/"here")
    run("pack", "--out", tmp_path/"bundle", "--part-mb", 0.05, cache=tmp_path/"here")
    parts = sorted((tmp_path/"bundle").glob("p*"))
    c = parts[0]/"chunk"; b = bytearray(c.read_bytes()); b[100] ^= 0xFF; c.write_bytes(bytes(b))
    for p in parts: r = run("unpack", p, "--cache", tmp_path/"there", "--site", tmp_path/"site", cache=tmp_path/"there")
    assert r.returncode != 0 and "checksum" in r.stderr
    assert not (tmp_path/"there"/"pypi").exists()
