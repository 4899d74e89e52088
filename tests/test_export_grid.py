"""Every grid that `export` accepts loads where the format says it loads, with identical logits; every other grid is
refused before anything is written, naming the alternative.

compressed-tensors: `transformers.AutoModelForCausalLM.from_pretrained` (with the compressed-tensors package) is the
reader. GPTQ layout: transformers reads it only through GPTQModel, a CUDA build that is not installed here, so the reader
is compressnb's own `load_gptq`, and the layout is decoded by its specification in `nbs/80_export.ipynb`.
"""
import itertools, tempfile, warnings
import pytest, torch
from compressnb.core import CompressnbError
from compressnb.engine import run_sequential
from compressnb.export import export_compressed_tensors, export_gptq, load_gptq
from compressnb.rtn import RTN
from compressnb.testing import tiny_model

BITS, GROUPS = range(2, 9), (32, 64, None)

def quantized(bits, group, sym, arch="llama"):
    m = tiny_model(arch, seed=bits); run_sequential(m, RTN(bits, group, sym), progress=False)
    return m

def rel_err(a, b): return ((a - b).abs().max() / b.abs().max()).item()

@pytest.mark.parametrize("bits,group", list(itertools.product(BITS, GROUPS)))
def test_compressed_tensors_symmetric_loads_in_transformers(bits, group, tmp_path):
    from transformers import AutoModelForCausalLM
    m, ids = quantized(bits, group, True), torch.randint(0, 256, (2, 12))
    with torch.no_grad():
        ref = m(ids).logits
        export_compressed_tensors(m, None, tmp_path / "ct")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            hf = AutoModelForCausalLM.from_pretrained(tmp_path / "ct", dtype=torch.float32)
        assert rel_err(hf(ids).logits, ref) < 1e-5

@pytest.mark.parametrize("bits,group", [(2, 32), (4, 64), (8, None)])
def test_compressed_tensors_asymmetric_is_refused_before_writing(bits, group, tmp_path):
    m = quantized(bits, group, False)
    with pytest.raises(CompressnbError, match="--sym.*--format gptq"): export_compressed_tensors(m, None, tmp_path / "ct")
    assert not (tmp_path / "ct").exists()

@pytest.mark.parametrize("bits,group,sym", list(itertools.product((2, 3, 4, 8), (32, 64, None), (True, False))))
def test_gptq_layout_reloads_identically(bits, group, sym, tmp_path):
    m, ids = quantized(bits, group, sym), torch.randint(0, 256, (2, 12))
    with torch.no_grad():
        export_gptq(m, None, tmp_path / "g")
        back, _ = load_gptq(tmp_path / "g")
        assert torch.equal(back(ids).logits, m(ids).logits)

@pytest.mark.parametrize("bits", [5, 6, 7])
def test_gptq_layout_refuses_other_widths(bits, tmp_path):
    with pytest.raises(CompressnbError, match="2, 3, 4 or 8 bits"): export_gptq(quantized(bits, 32, True), None, tmp_path / "g")
    assert not (tmp_path / "g").exists()
