"""SparseGPT in compressnb against SparseGPT in llm-compressor, side by side in one process, on SmolLM2-135M.

    python=$(bash bench/setup_llmcompressor.sh)          # a virtualenv with llmcompressor==0.14.0.1 and compressnb
    $python bench/sparsegpt_vs_llmcompressor.py          # 50% unstructured and 2:4 (about 30 minutes on 2 cores)

Both tools get the same model (the dequantized GGUF, fp32), the same 128 calibration sequences of 512 tokens (seed 0, from the
five Austen novels other than Pride and Prejudice), the same settings (dampening 0.01, blocks of 128 columns, every linear
layer of the blocks, `lm_head` untouched) and the same evaluation (first 90,000 characters of Pride and Prejudice, 512-token
windows). Magnitude and Wanda are measured beside them. Wall time covers the whole pruning call of each tool (calibration
forward passes included, model loading and evaluation excluded), one after the other in this process.

llm-compressor's `SparseGPTModifier` still prunes in 0.14 (its sparse *checkpoint* compressors are gone); we check the sparsity it
reached, since a pruner that quietly prunes less would look better.
"""
import argparse, gc, logging, time, warnings
import torch

def sparsity_of(model) -> float:
    "Share of zeros over the linear layers of the blocks (dense or compressed)."
    from compressnb.engine import find_blocks, find_linears
    from compressnb.structure import weight_matrix
    zeros = total = 0
    for b in find_blocks(model)[1]:
        for l in find_linears(b).values():
            w = l.dequantize() if hasattr(l, "dequantize") else weight_matrix(l)
            zeros += int((w == 0).sum()); total += w.numel()
    return zeros / total

def run(settings, n_calib, seqlen, eval_chars):
    from compressnb.models import load_model
    from compressnb.data import load_text, calibration_sequences
    from compressnb.engine import run_sequential
    from compressnb.prune import Magnitude, Wanda, SparseGPT
    from compressnb.evaluate import perplexity
    from llmcompressor import oneshot
    from llmcompressor.modifiers.pruning import SparseGPTModifier
    from datasets import Dataset
    import llmcompressor
    torch.manual_seed(0)
    load = lambda: load_model("smollm2-135m")
    _, tok = load()
    calib = calibration_sequences(tok, load_text("austen-calib"), n_calib, seqlen, seed=0)
    evalt = load_text("pride-and-prejudice")
    ppl = lambda m: perplexity(m, tok, evalt, 512, eval_chars, progress=False).ppl
    base = ppl(load()[0])
    rows = []
    for name, sparsity, pattern in settings:
        r = {"setting": name}
        for key, meth in (("magnitude", Magnitude(sparsity, pattern)), ("wanda", Wanda(sparsity, pattern))):
            m, _ = load(); run_sequential(m, meth, calib if meth.needs_calibration else None, progress=False); r[key] = ppl(m)
        m, _ = load()
        t = time.perf_counter()
        run_sequential(m, SparseGPT(sparsity, pattern, damp=0.01, block_size=128), calib)
        r["ours_s"] = time.perf_counter() - t; r["ours"] = ppl(m); r["ours_sparsity"] = sparsity_of(m)
        print(f"compressnb SparseGPT: perplexity {r['ours']:.2f} in {r['ours_s']:.0f} s", flush=True)
        del m; gc.collect()
        m, _ = load()
        ds = Dataset.from_dict({"input_ids": calib.tolist(), "attention_mask": torch.ones_like(calib).tolist()})
        recipe = SparseGPTModifier(sparsity=sparsity, mask_structure=pattern or "0:0", targets=["Linear"], ignore=["lm_head"],
                                   dampening_frac=0.01, block_size=128)
        t = time.perf_counter()
        oneshot(model=m, processor=tok, dataset=ds, recipe=recipe, num_calibration_samples=n_calib, max_seq_length=seqlen,
                shuffle_calibration_samples=False)
        r["llmc_s"] = time.perf_counter() - t; r["llmc"] = ppl(m); r["llmc_sparsity"] = sparsity_of(m)
        del m; gc.collect()
        rows.append(r)
        print(r, flush=True)
    print(f"\nSmolLM2-135M (baseline perplexity {base:.2f}); {n_calib} x {seqlen} calibration tokens; "
          f"llm-compressor {llmcompressor.__version__}, torch {torch.__version__}, {torch.get_num_threads()} threads\n")
    print("| setting | magnitude | Wanda | compressnb SparseGPT | llm-compressor SparseGPT | sparsity reached (ours / theirs) | compressnb time | llm-compressor time | time ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['setting']} | {r['magnitude']:.2f} | {r['wanda']:.2f} | {r['ours']:.2f} | {r['llmc']:.2f} | "
              f"{r['ours_sparsity']:.4f} / {r['llmc_sparsity']:.4f} | {r['ours_s']:.0f} s | {r['llmc_s']:.0f} s | {r['ours_s']/r['llmc_s']:.2f} |")
    return rows

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--settings", nargs="+", default=["50%", "2:4"], help="50%% (unstructured) and/or 2:4, 4:8")
    ap.add_argument("--n-calib", type=int, default=128); ap.add_argument("--seqlen", type=int, default=512)
    ap.add_argument("--eval-chars", type=int, default=90_000)
    a = ap.parse_args()
    settings = [(s, float(s[:-1]) / 100, None) if s.endswith("%") else (s, 0.5, s) for s in a.settings]
    warnings.filterwarnings("ignore"); logging.disable(logging.WARNING)
    run(settings, a.n_calib, a.seqlen, a.eval_chars)
