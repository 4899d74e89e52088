"""Session 13: programmatic dependent launches (PDL) are correct where one product's output is the next one's input.

    python kernels/probe_pdl.py              # H100: under a minute

A kernel launched as a dependent launch starts while the previous kernel's last programs still run; everything it does
before `griddepcontrol.wait` (in the library: L2 prefetches of its own words, the GEMV's first slice of words) must not
touch what the previous kernel writes. A chain of L square layers, y <- W_l y, captured in a CUDA graph with and without
PDL, must give bit-for-bit the same output (the kernels' arithmetic does not change, and the split-K partial sums are added
in a fixed order), replay after replay; the chain is also checked against the plain-torch reference. If a kernel read
its input before the previous one had written it, or wrote partial sums or tile counters that the previous one still
used, the outputs would differ.
"""
import sys
from dataclasses import replace
import torch
sys.path.insert(0, ".")
from compressnb.kernels.wa16 import pack_wa16, wa16_matmul, wa16_config, wa16_reference

def layer(K, gen):
    "A random symmetric 4-bit layer K x K, groups of 128, scaled so that the output has about the input's size."
    codes = torch.randint(0, 16, (K, K), dtype=torch.uint8, device="cuda", generator=gen)
    scales = torch.full((K, K // 128), 1.0 / (21.25 * K) ** 0.5, device="cuda").half()
    return pack_wa16(codes, scales, None, 4, 128)

def chain(x, ws, cfgs):
    for w, c in zip(ws, cfgs): x = wa16_matmul(x, w, cfg=c)
    return x

def main(L=8, replays=20):
    gen = torch.Generator(device="cuda").manual_seed(0)
    print(f"{torch.cuda.get_device_name()}; chains of {L} layers in a CUDA graph, {replays} replays each", flush=True)
    ok = True
    for K in (4096, 8192):
        ws = [layer(K, gen) for _ in range(L)]
        for M in (1, 2, 16, 40, 64):
            x = torch.randn(M, K, device="cuda", dtype=torch.bfloat16, generator=gen)
            base = wa16_config(M, K, K, 128, torch.cuda.get_device_properties(0).multi_processor_count)
            variants = {"plain": base, "pdl": replace(base, pdl=True), "pdl, early 2": replace(base, pdl=True, early=2)}
            outs = {}
            for name, cfg in variants.items():
                chain(x, ws, [cfg] * L); torch.cuda.synchronize()
                g = torch.cuda.CUDAGraph()
                with torch.cuda.graph(g): y = chain(x, ws, [cfg] * L)
                res = []
                for _ in range(replays):
                    g.replay(); res.append(y.clone())
                torch.cuda.synchronize()
                outs[name] = res
            ref = x
            for w in ws: ref = wa16_reference(ref.float(), w).to(torch.bfloat16)
            p = outs["plain"][0]
            err = ((p.float() - ref.float()).norm() / ref.float().norm()).item()
            same = {n: all(torch.equal(r, p) for r in rs) for n, rs in outs.items()}
            good = all(same.values()) and err < 2e-2
            ok &= good
            print(f"K=N={K} M={M:2d} {base.BM}x{base.BN} split {base.split} {'GEMV' if base.gemv else 'pair'}"
                  f"{' balanced' if base.balanced else ''}{' xperm' if base.xperm else ''}: "
                  + ", ".join(f"{n} {'identical' if v else 'DIFFERENT'}" for n, v in same.items())
                  + f" over {replays} replays; plain vs reference rel err {err:.1e} {'ok' if good else 'FAIL'}", flush=True)
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)

if __name__ == "__main__":
    if not torch.cuda.is_available(): sys.exit("probe_pdl: needs a CUDA GPU")
    main()
