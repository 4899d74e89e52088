"The Llama generation benchmark's decoding loop and checks, on a 2-layer toy on the CPU (the GPU run is in kernels/RESULTS.md)."
import subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def test_generate_wa16_tiny_cpu():
    r = subprocess.run([sys.executable, "kernels/generate_wa16.py", "--tiny", "--device", "cpu", "--tokens", "10"],
                       cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "decoding loop vs transformers' forward" in r.stdout and "PASS" in r.stdout
