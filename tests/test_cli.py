"""The command line, run as a user runs it: in a subprocess, checking exit status, stdout and stderr."""
import json, os, subprocess, sys
from pathlib import Path
import pytest, torch

def cli(*args, timeout=900):
    "Run `compressnb ARGS...`; return the completed process."
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(["compressnb", *map(str, args)], capture_output=True, text=True, timeout=timeout, env=env)

def fails(r, text):
    "One clear line on stderr naming the problem, no traceback, exit status 2."
    assert r.returncode == 2, (r.returncode, r.stderr[-2000:])
    assert "Traceback" not in r.stderr, r.stderr[-2000:]
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith("compressnb: error:") and text in last, last

@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    "A small random-initialised Llama saved with SmolLM2's tokenizer, so the full pipeline runs in seconds."
    from compressnb.testing import tiny_model
    from compressnb.models import load_model
    d = tmp_path_factory.mktemp("tiny")/"model"
    _, tok = load_model("smollm2-135m")
    m = tiny_model("llama"); m.resize_token_embeddings(len(tok))
    m.save_pretrained(d); tok.save_pretrained(d)
    return d

def test_usage():
    r = cli()
    assert r.returncode == 2 and "compress" in r.stderr

def test_compress_then_eval(tiny_dir, tmp_path):
    out = tmp_path/"q"
    r = cli("compress", "--model", tiny_dir, "--bits", 3, "--group-size", 32, "--out", out, "--eval-chars", 4000)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "| model" in r.stdout and "RTN(w3 g32 asym)" in r.stdout and "perplexity:" in r.stdout
    desc = json.loads((out/"compressnb.json").read_text())
    ppl = desc["metrics"]["compressed"]["perplexity"]
    assert desc["metrics"]["baseline"]["perplexity"] > 0 and ppl > 0
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]      # no temporary directory left behind
    r = cli("eval", out, "--eval-chars", 4000)
    assert r.returncode == 0, r.stderr[-3000:]
    row = [l for l in r.stdout.splitlines() if l.startswith("| q ")][0]
    assert f"{ppl:.2f}" in row                                                  # the reloaded model scores the same

@pytest.mark.parametrize("args,text", [
    (["--model", "gpt-17"], "unknown model name"),
    (["--model", "/no/such/model"], "does not exist"),
    (["--bits", 9], "bits must be an integer from 2 to 8"),
    (["--bits", 1], "bits must be an integer from 2 to 8"),
    (["--group-size", 0], "group size must be a positive integer"),
    (["--group-size", -5], "group size must be a positive integer"),
    (["--method", "magic"], "unknown method"),
    (["--eval-text", "no-such-text"], "unknown text"),
    (["--device", "cuda"], "no usable CUDA GPU"),
    (["--device", "gpu0"], "unknown device"),
])
def test_bad_settings(args, text, tmp_path):
    fails(cli("compress", "--out", tmp_path/"o", *args), text)
    assert not (tmp_path/"o").exists()

def test_directory_not_a_model(tmp_path):
    (tmp_path/"m").mkdir(); (tmp_path/"m"/"notes.txt").write_text("hi")
    fails(cli("compress", "--model", tmp_path/"m", "--out", tmp_path/"o"), "is not a model")

def test_no_block_stack(tmp_path):
    from transformers import AutoConfig, AutoModelForCausalLM
    from compressnb.testing import TINY_CONFIGS
    m = AutoModelForCausalLM.from_config(AutoConfig.for_model("llama", **{**TINY_CONFIGS["llama"], "num_hidden_layers": 0}))
    m.save_pretrained(tmp_path/"m")
    fails(cli("compress", "--model", tmp_path/"m", "--out", tmp_path/"o", "--no-eval"), "no stack of transformer blocks")

def test_out_dir_not_empty(tiny_dir, tmp_path):
    (tmp_path/"o").mkdir(); (tmp_path/"o"/"keep.txt").write_text("mine")
    fails(cli("compress", "--model", tiny_dir, "--out", tmp_path/"o", "--no-eval"), "not empty")
    assert (tmp_path/"o"/"keep.txt").read_text() == "mine"
    r = cli("compress", "--model", tiny_dir, "--out", tmp_path/"o", "--no-eval", "--overwrite")
    assert r.returncode == 0 and not (tmp_path/"o"/"keep.txt").exists() and (tmp_path/"o"/"compressnb.json").exists()

@pytest.fixture
def saved(tiny_dir, tmp_path):
    r = cli("compress", "--model", tiny_dir, "--out", tmp_path/"q", "--no-eval")
    assert r.returncode == 0, r.stderr[-2000:]
    return tmp_path/"q"

def test_truncated_checkpoint(saved):
    f = saved/"model.safetensors"; f.write_bytes(f.read_bytes()[:-1000])
    fails(cli("eval", saved, "--eval-chars", 2000), "truncated")

def test_corrupted_checkpoint(saved):
    f = saved/"model.safetensors"; b = bytearray(f.read_bytes()); b[len(b)//2] ^= 0x55; f.write_bytes(bytes(b))
    fails(cli("eval", saved, "--eval-chars", 2000), "SHA-256")

def test_eval_not_a_checkpoint(tmp_path):
    fails(cli("eval", tmp_path), "not a compressnb model")
    fails(cli("eval", tmp_path/"missing"), "does not exist")

def test_calibration_overlapping_evaluation(tmp_path):
    "The default evaluation novel passed as calibration text is refused before any compute."
    fails(cli("compress", "--method", "gptq", "--calib-text", "pride-and-prejudice", "--out", tmp_path/"o"), "share")

def test_calibration_text_too_short(tiny_dir, tmp_path):
    (tmp_path/"short.txt").write_text("Only a few words of calibration text.")
    fails(cli("compress", "--model", tiny_dir, "--method", "gptq", "--calib-text", tmp_path/"short.txt",
              "--out", tmp_path/"o", "--no-eval"), "shorter than one calibration sequence")

def test_gptq_beats_rtn_through_the_cli(tiny_dir, tmp_path):
    "GPTQ and RTN on the same tiny model, calibration and evaluation text: GPTQ's perplexity is closer to the baseline."
    res = {}
    for meth in ("rtn", "gptq"):
        r = cli("compress", "--model", tiny_dir, "--method", meth, "--bits", 2, "--group-size", 32, "--out", tmp_path/meth,
                "--n-calib", 16, "--seqlen", 128, "--eval-chars", 6000)
        assert r.returncode == 0, r.stderr[-3000:]
        m = json.loads((tmp_path/meth/"compressnb.json").read_text())["metrics"]
        res[meth] = abs(m["compressed"]["perplexity"] - m["baseline"]["perplexity"])
    assert res["gptq"] < res["rtn"], res

def test_export_compressed_tensors_cli(tiny_dir, tmp_path):
    "compress straight to compressed-tensors; eval reads it; export converts a compressnb model; bad groups fail up front."
    r = cli("compress", "--model", tiny_dir, "--bits", 4, "--group-size", 32, "--sym", "--format", "compressed-tensors",
            "--out", tmp_path/"ct", "--eval-chars", 3000)
    assert r.returncode == 0, r.stderr[-3000:]
    conf = json.loads((tmp_path/"ct"/"config.json").read_text())
    assert conf["quantization_config"]["format"] == "pack-quantized"
    ppl = [l for l in r.stdout.splitlines() if "RTN" in l][0].split("|")[2].strip()
    r = cli("eval", tmp_path/"ct", "--eval-chars", 3000)
    assert r.returncode == 0 and ppl in r.stdout, (ppl, r.stdout, r.stderr[-2000:])
    assert cli("compress", "--model", tiny_dir, "--bits", 3, "--group-size", 32, "--sym", "--out", tmp_path/"q", "--no-eval").returncode == 0
    r = cli("export", tmp_path/"q", "--out", tmp_path/"q-ct")
    assert r.returncode == 0 and (tmp_path/"q-ct"/"model.safetensors").exists(), r.stderr[-2000:]
    assert cli("compress", "--model", tiny_dir, "--bits", 3, "--group-size", 32, "--out", tmp_path/"a", "--no-eval").returncode == 0
    fails(cli("export", tmp_path/"a", "--out", tmp_path/"a-ct"), "quantize with --sym, or use --format gptq")   # asymmetric
    assert not (tmp_path/"a-ct").exists()
    fails(cli("compress", "--model", tiny_dir, "--group-size", 32, "--format", "compressed-tensors", "--out", tmp_path/"b", "--no-eval"), "with --sym")

def test_export_limits_before_compute(tiny_dir, tmp_path):
    "A group size that does not divide the layers' inputs is refused for compressed-tensors before calibration starts."
    r = cli("compress", "--model", tiny_dir, "--method", "gptq", "--bits", 4, "--group-size", 48, "--format", "compressed-tensors",
            "--out", tmp_path/"o", "--no-eval")
    fails(r, "group size to divide every layer's input size")
    assert "compressing" not in r.stderr and not (tmp_path/"o").exists()

def test_gptq_format_cli(tiny_dir, tmp_path):
    "compress to the GPTQ checkpoint layout and evaluate it; a bit width the format cannot store fails before compute."
    r = cli("compress", "--model", tiny_dir, "--method", "gptq", "--bits", 3, "--group-size", 32, "--format", "gptq",
            "--out", tmp_path/"g", "--n-calib", 8, "--seqlen", 64, "--eval-chars", 3000)
    assert r.returncode == 0, r.stderr[-3000:]
    assert json.loads((tmp_path/"g"/"config.json").read_text())["quantization_config"]["quant_method"] == "gptq"
    ppl = [l for l in r.stdout.splitlines() if "GPTQ(" in l][0].split("|")[2].strip()
    r = cli("eval", tmp_path/"g", "--eval-chars", 3000)
    assert r.returncode == 0 and ppl in r.stdout, (ppl, r.stdout, r.stderr[-2000:])
    fails(cli("compress", "--model", tiny_dir, "--bits", 5, "--format", "gptq", "--out", tmp_path/"x", "--no-eval"), "2, 3, 4 or 8 bits")

def test_resume_after_kill(tmp_path):
    "GPTQ on the bundled model killed (SIGKILL) after some blocks; the same command resumes and saves the identical model."
    import signal, time
    args = ["compress", "--method", "gptq", "--bits", 3, "--group-size", 64, "--n-calib", 8, "--seqlen", 128, "--no-eval"]
    r = cli(*args, "--out", tmp_path/"whole")
    assert r.returncode == 0, r.stderr[-3000:]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    p = subprocess.Popen(["compressnb", *map(str, args), "--out", str(tmp_path/"cut")], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, env=env)
    progress, t0 = tmp_path/".cut.partial"/"step0"/"progress.json", time.time()
    while time.time() - t0 < 600 and p.poll() is None:
        if progress.exists() and json.loads(progress.read_text())["done"] >= 4: break
        time.sleep(0.1)
    p.send_signal(signal.SIGKILL); p.wait()
    done = json.loads(progress.read_text())["done"]
    assert 4 <= done < 29 and not (tmp_path/"cut").exists()
    r = cli(*args, "--out", tmp_path/"cut")
    assert r.returncode == 0, r.stderr[-3000:]
    assert f"resuming: blocks 0-{done} of 30 were finished" in r.stderr               # they were loaded, not compressed again
    from safetensors.torch import load_file                 # (the file's metadata is a hash map: its order varies by process)
    cut, whole = (load_file(tmp_path/d/"model.safetensors") for d in ("cut", "whole"))
    assert cut.keys() == whole.keys() and all(torch.equal(cut[k], whole[k]) for k in cut)      # bit-identical tensors
    assert not (tmp_path/".cut.partial").exists() and not (tmp_path/".whole.partial").exists()

@pytest.mark.parametrize("args,text", [
    (["--method", "sparsegpt", "--sparsity", "1.2"], "sparsity must be a fraction in [0, 1)"),
    (["--method", "wanda", "--pattern", "4:2"], "0 < N < M"),
    (["--method", "sparsegpt", "--values", "int8", "--bits", "4"], "not both"),
    (["--method", "magnitude", "--values", "int4"], "sparse values must be one of"),
])
def test_bad_sparsity_settings(args, text, tmp_path):
    fails(cli("compress", "--out", tmp_path/"o", *args), text)
    assert not (tmp_path/"o").exists()

def test_pattern_must_divide_widths(tiny_dir, tmp_path):
    "The tiny model's layers are 64 and 128 wide: 2:3 divides neither; refused before any compute."
    fails(cli("compress", "--model", tiny_dir, "--method", "magnitude", "--pattern", "2:3", "--out", tmp_path/"o", "--no-eval"),
          "sparsity pattern 2:3 does not divide the 64 inputs of model.layers.0.self_attn.q_proj")

def test_sparse_compress_eval_generate_export(tiny_dir, tmp_path):
    "SparseGPT 2:4 with int8 values: saved compactly, evaluated again, decoded with tokens/s, exported as dense compressed-tensors."
    out = tmp_path/"s"
    r = cli("compress", "--model", tiny_dir, "--method", "sparsegpt", "--pattern", "2:4", "--values", "int8",
            "--n-calib", 8, "--seqlen", 64, "--eval-chars", 3000, "--out", out)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "SparseGPT(2:4 int8)" in r.stdout
    desc = json.loads((out/"compressnb.json").read_text())
    specs = desc["layers"].values()
    assert specs and all(s["format"] == "sparse-bitmask" and s["pattern"] == "2:4" and s["values"] == "int8" for s in specs)
    ppl = desc["metrics"]["compressed"]["perplexity"]
    r = cli("eval", out, "--eval-chars", 3000)
    assert r.returncode == 0 and f"{ppl:.2f}" in r.stdout, r.stdout + r.stderr[-2000:]
    r = cli("generate", out, "--tokens", 8, "--compare", "--baseline")
    assert r.returncode == 0 and "kernels: " in r.stdout and "tokens/s" in r.stdout and "kernels / reference" in r.stdout, r.stderr[-2000:]
    assert "uncompressed: " in r.stdout and "generated tokens are the same" in r.stdout
    r = cli("generate", out, "--tokens", 4, "--dtype", "bfloat16", "--compare")     # activations in bf16, the layers as stored
    assert r.returncode == 0 and "kernels / reference" in r.stdout, r.stderr[-2000:]
    r = cli("export", out, "--out", tmp_path/"ct")
    assert r.returncode == 0, r.stderr[-2000:]
    q = json.loads((tmp_path/"ct"/"config.json").read_text())["quantization_config"]
    assert q["format"] == "dense" and q["sparsity_config"]["sparsity_structure"] == "2:4"
    r = cli("eval", tmp_path/"ct", "--eval-chars", 3000)
    assert r.returncode == 0 and f"{ppl:.2f}" in r.stdout, r.stdout + r.stderr[-2000:]

def test_read_only_out_and_stale_temps(tiny_dir, tmp_path):
    "An output where nothing can be written fails before any work; a killed run's hidden temp directory is cleaned up."
    fails(cli("compress", "--model", tiny_dir, "--out", "/proc/compressnb-out", "--no-eval"), "cannot write to")
    stale = tmp_path/".q.tmp-killed"; stale.mkdir(); (stale/"model.safetensors").write_text("half")
    os.utime(stale, (0, 0))
    assert cli("compress", "--model", tiny_dir, "--out", tmp_path/"q", "--no-eval").returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["q"]

def test_eval_uncompressed_and_cached_baseline(tiny_dir, tmp_path):
    "eval measures an ordinary model directory too; compress then takes that baseline from the cache."
    r = cli("eval", tiny_dir, "--eval-chars", 3000)
    assert r.returncode == 0 and "| model" in r.stdout, r.stderr[-2000:]
    ppl = [l for l in r.stdout.splitlines() if l.startswith("|")][-1].split("|")[2].strip()
    r = cli("compress", "--model", tiny_dir, "--out", tmp_path/"q", "--eval-chars", 3000, "--group-size", 32)
    assert r.returncode == 0 and "from the cache" in r.stderr and ppl in r.stdout, (ppl, r.stdout, r.stderr[-2000:])

def test_eval_agreement(tiny_dir, tmp_path):
    "eval --agreement compares greedy continuations with the uncompressed model; it needs a model that records its origin."
    r = cli("compress", "--model", tiny_dir, "--out", tmp_path/"q", "--eval-chars", 3000, "--group-size", 32, "--bits", 8, "--no-eval")
    assert r.returncode == 0, r.stderr[-2000:]
    r = cli("eval", tmp_path/"q", "--eval-chars", 20000, "--agreement")
    assert r.returncode == 0, r.stderr[-2000:]
    line = next(l for l in r.stdout.splitlines() if l.startswith("agreement with"))
    share = float(line.split(": ")[1].split("%")[0])
    assert 50 < share <= 100, line                                  # 8-bit weights keep most greedy tokens
    r = cli("eval", tiny_dir, "--eval-chars", 3000, "--agreement")
    assert r.returncode != 0 and "records none" in r.stderr and "Traceback" not in r.stderr

def test_every_method_has_command_line_settings():
    "Each built-in method's settings become options of `compressnb compress --method NAME` without clashing with the general ones."
    from compressnb.cli import parse_compress
    from compressnb.recipes import load_builtin_methods
    from compressnb.engine import METHODS
    load_builtin_methods()
    assert {"rtn", "gptq", "w8a8", "quik", "aqlm", "sparsegpt"} <= set(METHODS)
    for name in METHODS: assert parse_compress(["--method", name, "--out", "x"])["method"] == name

def test_pv_tuning_continues_from_an_aqlm_model(tiny_dir, tmp_path):
    """AQLM on the tiny model, then PV-Tuning from the saved directory: the reference is the uncompressed model it records,
    the KL to it falls, the result is still AQLM and records both steps. Layer methods refuse a compressed model."""
    import re
    small = ["--n-calib", 16, "--seqlen", 64, "--no-eval"]
    r = cli("compress", "--model", tiny_dir, "--method", "aqlm", "--nbits", 4, "--rounds", 1, "--steps", 20,
            "--finetune-epochs", 0, "--out", tmp_path/"aq", *small)
    assert r.returncode == 0, r.stderr[-3000:]
    r = cli("compress", "--model", tmp_path/"aq", "--method", "pv-tuning", "--lr", 1e-3, "--epochs", 2,
            "--code-every", 2, "--out", tmp_path/"pv", *small)
    assert r.returncode == 0, r.stderr[-3000:]
    assert f"loading its uncompressed model {tiny_dir}" in r.stderr
    first, last = map(float, re.search(r"KL ([0-9.e-]+) -> ([0-9.e-]+)", r.stderr).groups())
    assert last < first, (first, last)
    desc = json.loads((tmp_path/"pv"/"compressnb.json").read_text())
    assert [s["method"] for s in desc["method"]["recipe"]["steps"]] == ["aqlm", "pv-tuning"]
    assert desc["base_model"] == str(tiny_dir)
    from compressnb.checkpoint import load_compressed
    from compressnb.aqlm import AQLMLinear
    m, _, _ = load_compressed(tmp_path/"pv")
    lin = [x for x in m.model.layers.modules() if isinstance(x, (AQLMLinear, torch.nn.Linear))]
    assert lin and all(isinstance(x, AQLMLinear) for x in lin)             # every projection of every block is still AQLM
    fails(cli("compress", "--model", tmp_path/"aq", "--method", "gptq", "--out", tmp_path/"g", "--no-eval"), "already compressed")
