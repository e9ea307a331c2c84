#!/usr/bin/env bash
# Refresh constraints.txt: install the newest versions that requirements*.txt allow into a new
# virtual environment and pin them all. Run the suite afterwards (bash scripts/test.sh) and
# commit constraints.txt only if it passes.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install -q --upgrade pip
"$tmp/venv/bin/python" -m pip install -q -r requirements.txt -r requirements-dev.txt
{
  echo "# Exact versions the test suite last passed with (pip install -r requirements.txt -c constraints.txt)."
  echo "# Made by scripts/refresh_constraints.sh on $(date +%Y-%m-%d), Python $("$tmp/venv/bin/python" -c 'import platform; print(platform.python_version())')."
  "$tmp/venv/bin/python" -m pip freeze --exclude-editable | grep -v '^pip=='
} > constraints.txt
echo "wrote constraints.txt ($(grep -vc '^#' constraints.txt) packages)"
