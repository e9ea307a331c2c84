#!/usr/bin/env bash
# Install everything the test suite needs (Python packages, Debian's Chromium for the browser
# tests) and run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1; then
  SUDO=$([ "$(id -u)" = 0 ] && echo "" || echo sudo)
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi
# The exact versions the suite last passed with (constraints.txt); requirements keep ranges.
python3 -m pip install -q -r requirements.txt -r requirements-dev.txt -c constraints.txt
python3 -m pytest -q tests "$@"
