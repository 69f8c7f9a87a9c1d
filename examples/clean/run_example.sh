#!/usr/bin/env bash
# Stage 1 → stage 2 on the real material in ../shared/data, on CPU in a few minutes. Run from the repo root.
set -euo pipefail
OUT=${OUT:-out/example}
export HF_HUB_OFFLINE=1
corpuslab sample --config examples/mixture/mix.yaml --raw-folder "$OUT/raw" --target-samples 600
corpuslab clean --config examples/clean/clean.yaml --raw-folder "$OUT/raw" --cleaned-folder "$OUT/cleaned" --keep-rejected
# change a threshold and re-run: only the decisions are recomputed (the tags in _tags/ are reused)
sed 's/min_length: 100/min_length: 300/' examples/clean/clean.yaml > "$OUT/clean-300.yaml"
corpuslab clean --config "$OUT/clean-300.yaml" --raw-folder "$OUT/raw" --cleaned-folder "$OUT/cleaned"
corpuslab inspect "$OUT/cleaned" --samples 1
corpuslab merge --cleaned-folder "$OUT/cleaned" --output "$OUT/train.jsonl.gz" --seed 0
corpuslab push --input-folder "$OUT/cleaned" --repo-name you/corpuslab-example --dry-run --staging "$OUT/push"
