#!/usr/bin/env bash
# The whole fast test suite: install, check notebooks are clean and the package is in sync, run the notebooks' tests, run pytest.
# Slow cells (#| slow) and GPU cells (#| cuda) are skipped; `COMPRESSNB_SLOW=1 bash tools/test.sh` runs the slow ones too.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
# The docs site's browser test drives Debian's Chromium (Playwright uses it as installed; it downloads no browser).
if command -v apt-get >/dev/null && ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt-get install -y -qq chromium >/dev/null; else echo "note: 'sudo apt-get install chromium' for the site's browser test" >&2; fi
fi
export TRITON_INTERPRET=1 PYTHONWARNINGS=ignore TOKENIZERS_PARALLELISM=false

snapshot() { find nbs compressnb README.md -type f \( -name '*.ipynb' -o -name '*.py' -o -name '*.md' \) -not -path '*/.ipynb_checkpoints/*' -print0 | sort -z | xargs -0 sha256sum; }
before=$(snapshot)
nbdev-clean >/dev/null
nbdev-export >/dev/null
python3 tools/readme.py
after=$(snapshot)
if [ "$before" != "$after" ]; then
  echo "FAILED: notebooks were not clean or compressnb/ was out of sync with nbs/ (run nbdev-clean && nbdev-export && python3 tools/readme.py, and commit):" >&2
  diff <(echo "$before") <(echo "$after") | sed -n 's/^> [0-9a-f]*  /    /p' >&2
  exit 1
fi

flags=""; [ "${COMPRESSNB_SLOW:-0}" = 1 ] && flags="slow"
# The notebooks and pytest run side by side: neither keeps both cores busy all the time (model loading, subprocess start-up).
log=$(mktemp)
python3 -m pytest -q tests >"$log" 2>&1 & pytest_pid=$!
nb_status=0; nbdev-test --n-workers 2 --flags "$flags" --timing || nb_status=$?
py_status=0; wait $pytest_pid || py_status=$?
cat "$log"; rm -f "$log"
[ $nb_status = 0 ] && [ $py_status = 0 ]
