"""GPTQ in compressnb against GPTQ in llm-compressor, on SmolLM2-135M, side by side in one process.

    python=$(bash bench/setup_llmcompressor.sh)       # a virtualenv with llmcompressor==0.14.0.1 and compressnb
    $python bench/gptq_vs_llmcompressor.py            # W4, W3, W2 with groups of 64, symmetric (about 75 minutes on 2 cores)

Both tools get the same model (the dequantized GGUF, fp32), the same 128 calibration sequences of 512 tokens (seed 0, from the
five Austen novels other than Pride and Prejudice), the same settings (symmetric grid, groups of 64, act-order with static
groups, dampening 0.01, blocks of 128 columns) and the same evaluation (first 90,000 characters of Pride and Prejudice,
512-token windows). RTN with the same grid is measured beside them. Wall time covers the whole compression call of each tool
(calibration forward passes included, model loading and evaluation excluded), measured one after the other in this process.
"""
import argparse, gc, logging, time, warnings
import torch

def run(bits_list, n_calib, seqlen, eval_chars, group_size=64):
    from compressnb.models import load_model
    from compressnb.data import load_text, calibration_sequences
    from compressnb.engine import run_sequential
    from compressnb.rtn import RTN
    from compressnb.gptq import GPTQ
    from compressnb.evaluate import perplexity
    from llmcompressor import oneshot
    from llmcompressor.modifiers.quantization import GPTQModifier
    from datasets import Dataset
    import llmcompressor
    torch.manual_seed(0)
    _, tok = load_model("smollm2-135m")
    calib = calibration_sequences(tok, load_text("austen-calib"), n_calib, seqlen, seed=0)
    evalt = load_text("pride-and-prejudice")
    ppl = lambda m: perplexity(m, tok, evalt, 512, eval_chars, progress=False).ppl
    base = ppl(load_model("smollm2-135m")[0])
    rows = []
    for bits in bits_list:
        r = {"setting": f"W{bits} g{group_size} sym"}
        m, _ = load_model("smollm2-135m"); run_sequential(m, RTN(bits, group_size, sym=True), progress=False); r["rtn"] = ppl(m)
        m, _ = load_model("smollm2-135m")
        t = time.perf_counter()
        run_sequential(m, GPTQ(bits, group_size, sym=True, act_order=True, static_groups=True, damp=0.01, block_size=128), calib)
        r["ours_s"] = time.perf_counter() - t; r["ours"] = ppl(m)
        del m; gc.collect()
        m, _ = load_model("smollm2-135m")
        ds = Dataset.from_dict({"input_ids": calib.tolist(), "attention_mask": torch.ones_like(calib).tolist()})
        weights = {"num_bits": bits, "type": "int", "symmetric": True, "strategy": "group", "group_size": group_size}
        recipe = GPTQModifier(config_groups={"group_0": {"targets": ["Linear"], "weights": weights}}, ignore=["lm_head"],
                              actorder="static", dampening_frac=0.01, block_size=128)
        t = time.perf_counter()
        oneshot(model=m, dataset=ds, recipe=recipe, num_calibration_samples=n_calib, max_seq_length=seqlen,
                shuffle_calibration_samples=False)
        r["llmc_s"] = time.perf_counter() - t; r["llmc"] = ppl(m)
        del m; gc.collect()
        rows.append(r)
        print(r, flush=True)
    print(f"\nSmolLM2-135M (baseline perplexity {base:.2f}); {n_calib} x {seqlen} calibration tokens; "
          f"llm-compressor {llmcompressor.__version__}, torch {torch.__version__}, {torch.get_num_threads()} threads\n")
    print("| setting | RTN | compressnb GPTQ | llm-compressor GPTQ | compressnb / llm-compressor perplexity | compressnb time | llm-compressor time | time ratio |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['setting']} | {r['rtn']:.2f} | {r['ours']:.2f} | {r['llmc']:.2f} | {r['ours']/r['llmc']:.4f} | "
              f"{r['ours_s']:.0f} s | {r['llmc_s']:.0f} s | {r['ours_s']/r['llmc_s']:.2f} |")
    return rows

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--bits", type=int, nargs="+", default=[4, 3, 2])
    ap.add_argument("--n-calib", type=int, default=128); ap.add_argument("--seqlen", type=int, default=512)
    ap.add_argument("--eval-chars", type=int, default=90_000)
    a = ap.parse_args()
    warnings.filterwarnings("ignore"); logging.disable(logging.WARNING)
    run(a.bits, a.n_calib, a.seqlen, a.eval_chars)
