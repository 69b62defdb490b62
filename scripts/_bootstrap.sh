# Sourced by scripts/run and scripts/test: make .venv match the lock file, once.
# Needs only python3 (3.11+) with venv and pip; nothing is installed globally.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-python3}"
VENV="${ADEMPAUZE_VENV:-$ROOT/.venv}"
LOCK="$ROOT/${ADEMPAUZE_LOCK:-requirements.lock}"

"$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Adempauze needs Python 3.11 or newer.")'
stamp="$(cat "$LOCK" "$ROOT/pyproject.toml" | "$PY" -c 'import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())')"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.adempauze-stamp" 2>/dev/null)" != "$stamp" ]; then
  echo "Setting up $VENV (first run only)..." >&2
  "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --require-hashes -r "$LOCK" >&2
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps -e "$ROOT" >&2
  echo "$stamp" > "$VENV/.adempauze-stamp"
fi
export PATH="$VENV/bin:$PATH"
cd "$ROOT"
