# Sourced by the quick-start scripts: make .venv once and install the project into it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
# Reinstall only when the project's requirements changed since the last install.
stamp=.venv/.docs-refresh-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ requirements.lock -nt "$stamp" ]; then
  # pip's own output (warnings, build notes) goes to a log: the first screen is the demo's.
  log=.venv/install.log
  echo "installing docs-refresh into .venv (once; pip's output: $log)…" >&2
  if ! {
    .venv/bin/python -m pip install --quiet --upgrade pip &&
      # The runtime dependencies at the exact versions the tests ran with (requirements.lock).
      .venv/bin/python -m pip install --quiet -e '.[test]' -c requirements.lock
  } >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "installing into .venv failed; the whole output is in $log" >&2
    exit 1
  fi
  touch "$stamp"
fi
export PATH="$PWD/.venv/bin:$PATH"
