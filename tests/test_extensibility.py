"""A new compressed layer type and a new method, defined outside compressnb, run through the whole product.

`PLUGIN` below is all a user writes (under 80 lines): "keep the top-k weights of each row, in fp16". It is saved as a module
outside the package; the Python API, the command line (`--method topk_rows:TopKRows`), checkpoints, evaluation and exports
then handle it without any change under `compressnb/`.
"""
import hashlib, json, os, subprocess, sys
from pathlib import Path
import pytest, torch

PLUGIN = '''
import torch, torch.nn as nn
from compressnb.layers import CompressedLinear, register_layer
from compressnb.engine import Method, register_method, as_linear

@register_layer
class TopKLinear(CompressedLinear):
    "The k largest-magnitude weights of each row in fp16, with their column indices in int16."
    format = "topk-rows"
    def __init__(self, in_features, out_features, k, bias=False, dtype=torch.float32):
        super().__init__()
        self.in_features, self.out_features, self.k = in_features, out_features, k
        self.register_buffer("values", torch.zeros(out_features, k, dtype=torch.float16))      # [out, k]
        self.register_buffer("indices", torch.zeros(out_features, k, dtype=torch.int16))       # [out, k]
        self.register_buffer("bias", torch.zeros(out_features, dtype=dtype) if bias else None)
    @classmethod
    def from_linear(cls, lin, keep):
        w = lin.weight.detach()
        k = max(1, round(keep * w.shape[1]))
        idx = w.abs().topk(k, dim=1).indices.sort(dim=1).values
        m = cls(w.shape[1], w.shape[0], k, lin.bias is not None, w.dtype)
        m.values.copy_(w.gather(1, idx).half()); m.indices.copy_(idx.to(torch.int16))
        if lin.bias is not None: m.bias.copy_(lin.bias.detach())
        return m
    def dequantize(self):
        w = torch.zeros(self.out_features, self.in_features, device=self.values.device)
        return w.scatter_(1, self.indices.long(), self.values.float())
    def weight_bits(self): return self.values.numel() * 16 + self.indices.numel() * 16
    def settings(self): return {"k": self.k}
    @classmethod
    def empty(cls, spec, dtype=torch.float32):
        return cls(spec["in_features"], spec["out_features"], spec["k"], spec["bias"], dtype)

@register_method
class TopKRows(Method):
    "Keep the largest-magnitude `keep` share of each row's weights, in fp16."
    name = "topk-rows"
    needs_calibration = False
    def __init__(self, keep: float = 0.25): self.keep = keep
    def compress_layer(self, name, layer, stats): return TopKLinear.from_linear(as_linear(layer), self.keep)
'''

ROOT = Path(__file__).resolve().parent.parent

def tree_hash(d:Path) -> str:
    return hashlib.sha256(b"".join(p.read_bytes() for p in sorted(d.rglob("*.py")))).hexdigest()

@pytest.fixture(scope="module")
def plugin(tmp_path_factory):
    d = tmp_path_factory.mktemp("plugin")
    (d/"topk_rows.py").write_text(PLUGIN)
    sys.path.insert(0, str(d))
    yield d
    sys.path.remove(str(d))

def cli(*args, plugin_dir):
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "PYTHONPATH": f"{plugin_dir}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    return subprocess.run(["compressnb", *map(str, args)], capture_output=True, text=True, timeout=900, env=env)

def test_plugin_is_short_and_outside(plugin):
    assert len(PLUGIN.strip().splitlines()) < 80
    import topk_rows
    assert not Path(topk_rows.__file__).resolve().is_relative_to(ROOT/"compressnb")

def test_python_api(plugin, tmp_path):
    "Compress the bundled model with the plugin, count its bits, save, reload to identical logits, evaluate."
    from compressnb.models import load_model
    from compressnb.data import load_text
    from compressnb.recipes import compress
    from compressnb.evaluate import perplexity, weight_stats
    from compressnb.checkpoint import save_compressed, load_compressed
    from compressnb.layers import compressed_layers
    before = tree_hash(ROOT/"compressnb")
    import topk_rows
    model, tok = load_model("smollm2-135m")
    res = compress(model, topk_rows.TopKRows(keep=0.5), progress=False)
    layers = compressed_layers(model)
    assert len(layers) == 30 * 7 and all(type(l).__name__ == "TopKLinear" for l in layers.values())
    # 576 inputs: k = 288 values and indices of 16 bits each per row, so 0.5 x 32 = 16 bits per weight exactly
    assert weight_stats(model)["linear_bits_per_param"] == pytest.approx(16.0)
    assert res.layers["model.layers.3.mlp.down_proj"]["keep"] == 0.5
    save_compressed(model, tok, tmp_path/"q", "smollm2-135m", res.recipe.to_dict())
    m2, tok2, desc = load_compressed(tmp_path/"q")
    assert desc["layers"]["model.layers.0.self_attn.q_proj"]["format"] == "topk-rows"
    ids = torch.randint(0, 49152, (2, 32))
    with torch.no_grad(): assert torch.equal(m2(ids).logits, model(ids).logits)
    ppl = perplexity(m2, tok2, load_text("pride-and-prejudice"), 512, 4000, progress=False).ppl
    assert 1 < ppl < 1e4
    assert tree_hash(ROOT/"compressnb") == before

def test_cli(plugin, tmp_path):
    "The same through the command line: found by module:Class and by a recipe; eval reloads it; export refuses it."
    before = tree_hash(ROOT/"compressnb")
    r = cli("compress", "--method", "topk_rows:TopKRows", "--keep", 0.5, "--out", tmp_path/"q", "--eval-chars", 4000, plugin_dir=plugin)
    assert r.returncode == 0, r.stderr[-3000:]
    row = [l for l in r.stdout.splitlines() if "TopKRows" in l][0]
    assert "| 16.000 " in row                                                   # bits per weight of the blocks' layers
    ppl = row.split("|")[2].strip()
    r = cli("eval", tmp_path/"q", "--eval-chars", 4000, plugin_dir=plugin)
    assert r.returncode == 0 and ppl in r.stdout, (ppl, r.stdout, r.stderr[-2000:])
    (tmp_path/"r.yaml").write_text("steps:\n  - method: topk_rows:TopKRows\n    settings: {keep: 0.25}\n"
                                   "    layers: {'*.mlp.*': {keep: 0.5}}\n")
    r = cli("compress", "--recipe", tmp_path/"r.yaml", "--out", tmp_path/"r", "--no-eval", plugin_dir=plugin)
    assert r.returncode == 0, r.stderr[-3000:]
    desc = json.loads((tmp_path/"r"/"compressnb.json").read_text())
    assert desc["layers"]["model.layers.0.mlp.up_proj"]["k"] == 288 and desc["layers"]["model.layers.0.self_attn.q_proj"]["k"] == 144
    r = cli("export", tmp_path/"q", "--out", tmp_path/"ct", plugin_dir=plugin)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines()[-1].startswith("compressnb: error:") and "'topk-rows'" in r.stderr
    r = cli("compress", "--method", "topk_rows:TopKRows", "--kep", 0.5, "--out", tmp_path/"x", plugin_dir=plugin)
    assert r.returncode == 2 and "unknown option --kep" in r.stderr
    assert tree_hash(ROOT/"compressnb") == before
