#!/usr/bin/env bash
# Data anatomy end to end on CPU in about 5 minutes: train a small LM on a KNOWN mixture of real categories
# (../shared/data), estimate the mixture with label shift and Min-K%++, score both against the truth,
# then show how the same evaluator scores a published spec.
set -euo pipefail
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
OUT=${1:-runs/anatomy_demo}

corpuslab anatomy synth -o "$OUT" --mixture github=.45,wikipedia=.25,stackexchange=.15,books=.10,web=.05 \
    --n-bootstrap 100   # default model and data sizes: about 4-5 minutes on a 2-core CPU

# the estimators can also be rerun by hand on the synth model and its samples:
corpuslab anatomy labelshift -s "$OUT/data_samples" -o "$OUT/labelshift_hard" \
    --use-cached-generations "$OUT/labelshift/generations.jsonl" --bbse-mode hard --no-progress

corpuslab anatomy evaluate --compare "$OUT/labelshift" --compare "$OUT/labelshift_hard" --compare "$OUT/minkpp" \
    --ground-truth "$OUT/truth.yaml" -o "$OUT/evaluation"

# a published spec (shipped with corpuslab): how close would this estimate be to OLMo-1B's Dolma mix?
corpuslab anatomy evaluate --results-dir "$OUT/labelshift" --ground-truth olmo1b --method bbse
