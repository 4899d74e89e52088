#!/usr/bin/env bash
# Install compressnb and everything it needs on a fresh Debian machine (CPU only).
# Real weights and texts are not installed here: they are fetched into ~/.cache/compressnb on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
# The CPU build of PyTorch first: an unpinned torch would pull several GB of CUDA packages.
$PY -c "import torch" 2>/dev/null || $PY -m pip install -q torch==2.13.0
$PY -m pip install -q -e ".[dev]"
# `apt-get download` (used for the Austen novels and the Python docs) needs Debian's package lists.
if command -v apt-get >/dev/null && ! ls /var/lib/apt/lists/*_Packages >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then apt-get update -qq; else echo "note: run 'sudo apt-get update' once so the built-in texts can be fetched" >&2; fi
fi
