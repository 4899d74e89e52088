"""A W4A16 model with Llama-3-8B's shapes, randomly initialised, generates greedy tokens through the Triton kernels.

    python kernels/generate_wa16.py                   # H100: about 3 minutes; prints tokens/s, bf16 against W4A16
    python kernels/generate_wa16.py --compile         # the decoding step compiled by torch.compile first (both models)
    python kernels/generate_wa16.py --no-fuse         # q/k/v and gate/up as separate products (both models)
    python kernels/generate_wa16.py --tiny --device cpu   # a 2-layer toy on the CPU: checks the decoding loop against HF

The model is transformers' `LlamaForCausalLM` with Llama-3-8B's configuration (4096 hidden, 14336 MLP, 32 layers, 32 query and
8 key/value heads, 128256 tokens) and random weights: no checkpoint is reachable from the GPU machine, and the speed of a
product depends only on shapes. Its linear layers (not the embedding or the head, as GPTQ checkpoints do) are quantized by
RTN to 4 bits, groups of 128, symmetric, into `QuantLinear`, whose forward on CUDA is the W4A16 kernel. Unless `--no-fuse`,
the q/k/v and the gate/up projections are fused first (`compressnb.fuse`) in both models: one product each, bf16 and W4A16.

Decoding: one token per step with a static KV cache, the step captured once in a CUDA graph and replayed (what serving
engines do; without a graph, Python's launch overhead, not the GPU, would set the pace). The same decoding code runs the bf16
model first, so the ratio compares like with like. tokens/s counts generated tokens over the wall time of their replays.

Correctness: the tokens generated through the kernels are fed, teacher-forced, to transformers' own forward of the same
quantized model with every `QuantLinear` computing through its dequantized weight (the plain-torch reference path). The
bf16 model's two paths (this decoding loop, transformers' forward) give the noise level of two correct implementations in
bf16 through 32 random layers; the kernel path must agree with its reference about as well: relative logit error below
twice theirs + 1e-2, and each generated token within twice their largest gap (+ `tol` x the logits' spread) of the
reference's best logit (random weights give near-ties that summation order may break either way).
"""
import argparse, sys, time

import torch, torch.nn as nn, torch.nn.functional as F
sys.path.insert(0, ".")
from transformers import LlamaConfig, LlamaForCausalLM
from transformers.models.llama.modeling_llama import apply_rotary_pos_emb
from compressnb.quant import QuantConfig, QuantLinear, rtn_linear
from compressnb.structure import set_submodule
from compressnb.fuse import fuse_projections
import compressnb.kernels.wa16 as wa16

LLAMA3_8B = dict(hidden_size=4096, intermediate_size=14336, num_hidden_layers=32, num_attention_heads=32, num_key_value_heads=8,
                 vocab_size=128256, max_position_embeddings=8192, rope_theta=500000.0, rms_norm_eps=1e-5, tie_word_embeddings=False)
TINY = dict(LLAMA3_8B, hidden_size=256, intermediate_size=512, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
            vocab_size=1000)

class StaticDecoder:
    "One-token decoding steps of a HF Llama with a static KV cache, written so that a step can be captured in a CUDA graph."
    def __init__(self, model, max_len:int, compiled:bool=False):
        self.m, self.cfg, self.max_len = model, model.config, max_len
        c, p = self.cfg, next(model.parameters())
        hd = getattr(c, "head_dim", None) or c.hidden_size // c.num_attention_heads
        shape = (c.num_hidden_layers, 1, c.num_key_value_heads, max_len, hd)           # [layers, batch, kv heads, positions, hd]
        self.k = torch.zeros(shape, dtype=p.dtype, device=p.device); self.v = torch.zeros_like(self.k)
        self.tok = torch.zeros(1, 1, dtype=torch.long, device=p.device)                   # the step's inputs and outputs live in
        self.pos = torch.zeros(1, dtype=torch.long, device=p.device)                      # fixed buffers (graph replays read them)
        self.logits = torch.zeros(1, c.vocab_size, dtype=torch.float32, device=p.device)
        self.next = torch.zeros(1, 1, dtype=torch.long, device=p.device)
        self.graph = None
        if compiled: self._step = torch.compile(self._step)             # elementwise work fused; products stay opaque calls

    @torch.no_grad()
    def _step(self):
        m, c = self.m.model, self.cfg
        h = m.embed_tokens(self.tok)                                                      # [1, 1, hidden]
        cos, sin = m.rotary_emb(h, self.pos[None])
        visible = (torch.arange(self.max_len, device=h.device) <= self.pos)[None, None, None, :]   # [1, 1, 1, max_len]
        for i, layer in enumerate(m.layers):
            a = layer.self_attn
            x = layer.input_layernorm(h)
            q = a.q_proj(x).view(1, 1, c.num_attention_heads, -1).transpose(1, 2)          # [1, heads, 1, hd]
            k = a.k_proj(x).view(1, 1, c.num_key_value_heads, -1).transpose(1, 2)
            v = a.v_proj(x).view(1, 1, c.num_key_value_heads, -1).transpose(1, 2)
            q, k = apply_rotary_pos_emb(q, k, cos, sin)
            self.k[i].index_copy_(2, self.pos, k); self.v[i].index_copy_(2, self.pos, v)
            o = F.scaled_dot_product_attention(q, self.k[i], self.v[i], attn_mask=visible, enable_gqa=True)
            h = h + a.o_proj(o.transpose(1, 2).reshape(1, 1, -1))
            x = layer.post_attention_layernorm(h)
            h = h + layer.mlp.down_proj(layer.mlp.act_fn(layer.mlp.gate_proj(x)) * layer.mlp.up_proj(x))
        self.logits.copy_(self.m.lm_head(m.norm(h))[:, -1].float())
        self.next.copy_(self.logits.argmax(-1, keepdim=True))

    def step(self, tok:int|None=None):
        "Feed one token (the last generated one if None) at the next position; returns the greedy next token."
        if tok is not None: self.tok.fill_(tok)
        if self.graph is not None: self.graph.replay()
        else: self._step()
        self.pos += 1
        self.tok.copy_(self.next)
        return self.next

    def capture(self):
        "Record one step in a CUDA graph (after a warm-up step that compiles the kernels), rewinding the position."
        s = torch.cuda.Stream(); s.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(s): self._step()
        torch.cuda.current_stream().wait_stream(s)
        self.graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(self.graph): self._step()

def generate(dec:StaticDecoder, prompt:list[int], n:int, graph:bool) -> tuple[list[int], torch.Tensor, float]:
    "Greedy tokens after `prompt`, the logits of each step, and the seconds the generated steps took."
    dec.pos.zero_(); dec.k.zero_(); dec.v.zero_()
    if graph and dec.graph is None: dec.capture(); dec.pos.zero_(); dec.k.zero_(); dec.v.zero_()
    for t in prompt: dec.step(t)                                                          # prefill, one position at a time
    out, logits = [int(dec.next)], [dec.logits.clone()]
    sync = torch.cuda.synchronize if dec.k.is_cuda else (lambda: None)
    sync(); t0 = time.perf_counter()
    for _ in range(n - 1):
        dec.step(); logits.append(dec.logits.clone())
    sync(); dt = time.perf_counter() - t0
    out += [int(t) for t in torch.cat([l.argmax(-1) for l in logits[1:]])] if n > 1 else []
    return out, torch.stack(logits)[:, 0], dt

def quantize_linears(model, cfg:QuantConfig):
    "Replace every linear in the decoder layers (fused or not) by its RTN QuantLinear, on the model's device."
    dev = next(model.parameters()).device
    for layer in model.model.layers:
        for name, lin in list(layer.named_modules()):
            if isinstance(lin, nn.Linear):
                with torch.device(dev): q = rtn_linear(lin, cfg)
                set_submodule(layer, name, q.to(dev))
                del lin

def reference_path():
    "QuantLinear computes through its dequantized weight in fp32 (plain torch; the kernel's arithmetic) instead of the kernel."
    from compressnb.kernels import reference_kernels
    return reference_kernels()

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tiny", action="store_true"); ap.add_argument("--device", default="cuda")
    ap.add_argument("--tokens", type=int, default=128); ap.add_argument("--prompt", type=int, default=16)
    ap.add_argument("--tol", type=float, default=0.05, help="allowed logit gap to the reference's best token")
    ap.add_argument("--compile", action="store_true", help="torch.compile the decoding step (both models) before capturing it")
    ap.add_argument("--no-fuse", action="store_true", help="q/k/v and gate/up as separate products (both models)")
    a = ap.parse_args()
    if a.device == "cuda" and not torch.cuda.is_available(): sys.exit("generate_wa16: needs a CUDA GPU (or --tiny --device cpu)")
    torch.manual_seed(0)
    config = LlamaConfig(**(TINY if a.tiny else LLAMA3_8B))
    dtype = torch.bfloat16 if a.device == "cuda" else torch.float32
    t0 = time.perf_counter()
    torch.set_default_dtype(dtype)                               # built directly in bf16: transformers' init, weights N(0, 0.02)
    with torch.device(a.device): model = LlamaForCausalLM(config).eval()
    torch.set_default_dtype(torch.float32)
    print(f"model: {sum(p.numel() for p in model.parameters())/1e9:.2f}B parameters, {config.num_hidden_layers} layers, "
          f"{dtype}, random ({time.perf_counter()-t0:.0f} s)", flush=True)
    if not a.no_fuse:
        fused = fuse_projections(model)
        print(f"fused {len(fused)} groups of projections (q/k/v, gate/up) into one product each, in both models", flush=True)
    graph = a.device == "cuda"
    prompt = torch.randint(0, config.vocab_size, (a.prompt,)).tolist()
    dec = StaticDecoder(model, a.prompt + a.tokens, a.compile)
    ref_toks, ref_logits, t_bf16 = generate(dec, prompt, a.tokens, graph)
    print(f"{str(dtype)[6:]}: {a.tokens - 1} tokens in {t_bf16*1e3:.1f} ms = {(a.tokens-1)/t_bf16:.1f} tokens/s", flush=True)
    with torch.no_grad(): hf = model(torch.tensor([prompt + ref_toks[:-1]], device=a.device)).logits[0, a.prompt - 1:].float()
    floor = ((ref_logits - hf).norm() / hf.norm()).item()           # the decoding loop itself against transformers' forward:
    gap_floor = (hf.max(-1).values - hf.gather(1, torch.tensor(ref_toks, device=hf.device)[:, None])[:, 0]).max().item()
    print(f"decoding loop vs transformers' forward, {str(dtype)[6:]} model: relative logit error {floor:.1e} "   # in bf16 this is
          f"(same greedy token at {sum(int(t == r) for t, r in zip(ref_toks, hf.argmax(-1).tolist()))}/{a.tokens} steps, "
          f"largest gap to the best logit {gap_floor:.4f})")   # the noise floor
    if a.tiny: assert floor < 1e-3 and ref_toks == hf.argmax(-1).tolist(), "the static decoder disagrees with transformers"
    t0 = time.perf_counter()
    quantize_linears(model, QuantConfig(4, 128, True))
    if graph: torch.cuda.synchronize()
    print(f"quantized the decoder's linears to W4 g128 (RTN) in {time.perf_counter()-t0:.0f} s; "
          f"{torch.cuda.memory_allocated()/2**30 if graph else 0:.1f} GiB on the GPU", flush=True)
    dec = StaticDecoder(model, a.prompt + a.tokens, a.compile)
    toks, logits, t_w4 = generate(dec, prompt, a.tokens, graph)
    print(f"W4A16: {a.tokens - 1} tokens in {t_w4*1e3:.1f} ms = {(a.tokens-1)/t_w4:.1f} tokens/s; "
          f"speed-up over bf16 {t_bf16/t_w4:.2f}x", flush=True)
    with reference_path(), torch.no_grad():
        ref = model(torch.tensor([prompt + toks[:-1]], device=a.device)).logits[0, a.prompt - 1:].float()   # [tokens, vocab]
    err = ((logits - ref).norm() / ref.norm()).item()
    gap = ref.max(-1).values - ref.gather(1, torch.tensor(toks, device=ref.device)[:, None])[:, 0]        # >= 0
    same = sum(int(t == r) for t, r in zip(toks, ref.argmax(-1).tolist()))
    scale = ref.std().item()
    print(f"kernel path vs reference path (teacher-forced on the {a.tokens} generated tokens): relative logit error {err:.1e}; "
          f"same greedy token at {same}/{a.tokens} steps; largest gap to the reference's best logit {gap.max().item():.4f} "
          f"(logits' spread {scale:.3f}); first tokens {toks[:12]}")
    # the two paths of the same bf16 model (decoding loop, transformers' forward) set the noise: the kernel path must agree
    # with its reference at least about as well as they agree with each other
    assert err < 2 * floor + 1e-2 and gap.max().item() < 2 * gap_floor + a.tol * scale, "the kernel path's tokens are not the reference's"
    print("PASS: the W4A16 model generates through the kernels the tokens of the reference path")

if __name__ == "__main__":
    main()
