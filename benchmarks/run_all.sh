#!/usr/bin/env bash
# Run every benchmark at 1k, 10k and 100k papers in one go (figures compare because they share one run).
# Usage: benchmarks/run_all.sh [extra options for benchmarks.run, e.g. --seed 7 or --sizes 1k,10k]
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
exec "$PY" -m benchmarks.run --sizes 1k,10k,100k "$@"
