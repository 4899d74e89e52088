"""Peak memory of the engine's discovery pass (`discover`: one forward of a block with hooks that keep every submodule's
output) against a plain forward of the same block, on SmolLM2-135M's first block, one batch of 8 x 512 tokens.

    python bench/discover_memory.py      # about 30 s on 2 cores

Each is run twice, alternating, freed memory given back to the OS before each; memory as in bench/engine_memory.py.
"""
import gc, sys, time
import torch
sys.path.insert(0, "bench"); sys.path.insert(0, ".")
from engine_memory import mem, Peak
from compressnb.models import load_model
from compressnb.engine import find_blocks, find_linears, capture_block_inputs, release_memory
from compressnb.groups import discover

def peak(fn):
    "MiB of anonymous memory above the start, at the peak of `fn()`."
    gc.collect(); release_memory(); time.sleep(0.3)      # freed heap back to the OS: each starts from the same floor
    a0, _ = mem(); p = Peak(); p.start()
    fn()
    p.stop_ = True; p.join()
    return p.anon - a0

if __name__ == "__main__":
    torch.set_num_threads(2); torch.manual_seed(0)
    model, tok = load_model("smollm2-135m")
    _, blocks = find_blocks(model)
    inputs = capture_block_inputs(model, blocks, [torch.randint(0, 1000, (8, 512))], "cpu", "cpu")
    block = blocks[0]; run = lambda: inputs.run(block, 0, 0, "cpu")
    linears = find_linears(block)
    with torch.no_grad():
        for name, fn in [("plain forward", run), ("discovery pass", lambda: discover(block, linears, run))] * 2:
            print(f"{name:15s}: peak anonymous memory above the start {peak(fn):6.1f} MiB", flush=True)
