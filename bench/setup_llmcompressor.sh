#!/usr/bin/env bash
# A virtual environment for bench/gptq_vs_llmcompressor.py: llm-compressor pins its own transformers and compressed-tensors,
# so it gets an environment of its own (sharing the system's torch), and compressnb is installed into it too: both tools are
# then measured with the same libraries, in the same process.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-/tmp/compressnb-llmc}
python3 -m venv --system-site-packages "$VENV"
"$VENV/bin/pip" install -q "llmcompressor==0.14.0.1"
"$VENV/bin/pip" install -q --no-deps -e .
echo "$VENV/bin/python"
