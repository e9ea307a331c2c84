#!/usr/bin/env bash
# Install everything the test suite needs (Python packages) and run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install -q -r requirements.txt -r requirements-dev.txt
python3 -m pytest -q tests "$@"
