"""GPTQ in compressnb against GPTQ in llm-compressor, side by side in one process, on SmolLM2-135M and on a model whose blocks
differ.

    python=$(bash bench/setup_llmcompressor.sh)       # a virtualenv with llmcompressor==0.14.0.1 and compressnb
    $python bench/gptq_vs_llmcompressor.py            # SmolLM2-135M: W4, W3, W2, groups of 64, symmetric (about 75 min on 2 cores)
    $python bench/gptq_vs_llmcompressor.py --model smollm2-sliding --bits 3     # about 25 minutes

`smollm2-sliding` is SmolLM2-135M's weights in a Qwen2 model (Llama plus q/k/v biases, set to zero) whose odd blocks use
sliding-window attention of 128 tokens and even blocks full attention: real weights, and blocks that get different attention
masks from the model, which is what a calibration engine must get right (Gemma-2/3, Cohere2, GPT-OSS and Mistral variants do
the same). No such model can be had from the registries here, so it is derived; its perplexity is its own baseline.

Both tools get the same model (the dequantized GGUF, fp32), the same 128 calibration sequences of 512 tokens (seed 0, from the
five Austen novels other than Pride and Prejudice), the same settings (symmetric grid, groups of 64, act-order with static
groups, dampening 0.01, blocks of 128 columns) and the same evaluation (first 90,000 characters of Pride and Prejudice,
512-token windows). RTN with the same grid is measured beside them. Wall time covers the whole compression call of each tool
(calibration forward passes included, model loading and evaluation excluded), measured one after the other in this process.
"""
import argparse, gc, logging, time, warnings
import torch

def sliding_smollm2(window:int=128):
    """SmolLM2-135M as a Qwen2 model with sliding-window attention in its odd blocks (see the module docstring), saved once as a
    model directory (both tools then load it like any local model)."""
    from pathlib import Path
    from compressnb.models import load_model
    d = Path.home()/".cache"/"compressnb"/"models"/f"smollm2-sliding{window}"
    if not (d/"config.json").exists():
        from transformers import Qwen2Config, Qwen2ForCausalLM
        m, tok = load_model("smollm2-135m"); c = m.config; n = c.num_hidden_layers
        cfg = Qwen2Config(vocab_size=c.vocab_size, hidden_size=c.hidden_size, intermediate_size=c.intermediate_size,
            num_hidden_layers=n, num_attention_heads=c.num_attention_heads, num_key_value_heads=c.num_key_value_heads,
            hidden_act=c.hidden_act, max_position_embeddings=c.max_position_embeddings, rms_norm_eps=c.rms_norm_eps,
            tie_word_embeddings=True, rope_parameters=dict(c.rope_parameters), use_sliding_window=True, sliding_window=window,
            layer_types=["sliding_attention" if i % 2 else "full_attention" for i in range(n)], bos_token_id=c.bos_token_id,
            eos_token_id=c.eos_token_id, pad_token_id=c.pad_token_id)
        q = Qwen2ForCausalLM(cfg).eval()
        missing, unexpected = q.load_state_dict(m.state_dict(), strict=False)
        assert not unexpected and all(k.endswith("proj.bias") for k in missing), (missing, unexpected)
        for k in missing: q.get_parameter(k).data.zero_()
        q.tie_weights()
        tmp = d.with_name(d.name + ".tmp"); q.save_pretrained(tmp); tok.save_pretrained(tmp); tmp.rename(d)
    return load_model(str(d))

def run(bits_list, n_calib, seqlen, eval_chars, group_size=64, model="smollm2-135m"):
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
    load = (lambda: load_model("smollm2-135m")) if model == "smollm2-135m" else sliding_smollm2
    _, tok = load()
    calib = calibration_sequences(tok, load_text("austen-calib"), n_calib, seqlen, seed=0)
    evalt = load_text("pride-and-prejudice")
    ppl = lambda m: perplexity(m, tok, evalt, 512, eval_chars, progress=False).ppl
    base = ppl(load()[0])
    rows = []
    for bits in bits_list:
        r = {"setting": f"W{bits} g{group_size} sym"}
        m, _ = load(); run_sequential(m, RTN(bits, group_size, sym=True), progress=False); r["rtn"] = ppl(m)
        m, _ = load()
        t = time.perf_counter()
        run_sequential(m, GPTQ(bits, group_size, sym=True, act_order=True, static_groups=True, damp=0.01, block_size=128), calib)
        r["ours_s"] = time.perf_counter() - t; r["ours"] = ppl(m)
        print(f"compressnb GPTQ: perplexity {r['ours']:.2f} in {r['ours_s']:.0f} s (RTN {r['rtn']:.2f})", flush=True)
        del m; gc.collect()
        m, _ = load()
        ds = Dataset.from_dict({"input_ids": calib.tolist(), "attention_mask": torch.ones_like(calib).tolist()})
        weights = {"num_bits": bits, "type": "int", "symmetric": True, "strategy": "group", "group_size": group_size}
        recipe = GPTQModifier(config_groups={"group_0": {"targets": ["Linear"], "weights": weights}}, ignore=["lm_head"],
                              actorder="static", dampening_frac=0.01, block_size=128)
        t = time.perf_counter()
        oneshot(model=m, processor=tok, dataset=ds, recipe=recipe, num_calibration_samples=n_calib, max_seq_length=seqlen,
                shuffle_calibration_samples=False)
        r["llmc_s"] = time.perf_counter() - t; r["llmc"] = ppl(m)
        del m; gc.collect()
        rows.append(r)
        print(r, flush=True)
    print(f"\n{model} (baseline perplexity {base:.2f}); {n_calib} x {seqlen} calibration tokens; "
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
    ap.add_argument("--model", choices=["smollm2-135m", "smollm2-sliding"], default="smollm2-135m")
    a = ap.parse_args()
    warnings.filterwarnings("ignore"); logging.disable(logging.WARNING)
    run(a.bits, a.n_calib, a.seqlen, a.eval_chars, model=a.model)
