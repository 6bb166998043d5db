#!/bin/sh
# The peers, in their own virtualenv under benchmarks/_work (gitignored), never in the project's .venv.
set -e
cd "$(dirname "$0")/../.."
python3 -m venv benchmarks/_work/peers
benchmarks/_work/peers/bin/pip install -q "rensa==0.5.0" "datasketch==2.0.0" "datatrove==0.10.1" regex tokenizers xxhash numpy orjson
