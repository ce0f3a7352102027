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
  .venv/bin/python -m pip install --quiet --upgrade pip
  # The runtime dependencies at the exact versions the tests ran with (requirements.lock).
  .venv/bin/python -m pip install --quiet -e '.[test]' -c requirements.lock
  touch "$stamp"
fi
export PATH="$PWD/.venv/bin:$PATH"
