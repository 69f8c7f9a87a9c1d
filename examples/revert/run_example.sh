#!/usr/bin/env bash
# Revert risk end to end on CPU in minutes: constructed histories on real ja/vi article texts + the real
# Wikidata daily dump → collect → prepare → tune (real MiniLM weights, or --encoder tiny) → features →
# train (CatBoost; 400 iterations at lr 0.05 instead of the reference's 5000 at 0.01, for time) → eval →
# score; plus the classifier vs logistic regression on the real ORES editquality feature tables.
# Usage: examples/revert/run_example.sh [OUT] [tiny|minilm]   (tiny: fastest; minilm: the real all-MiniLM-L6-v2 weights)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-runs/revert-example}
ENCODER=${2:-tiny}
LR=$([ "$ENCODER" = tiny ] && echo 1e-3 || echo 5e-5)  # a random-init tiny encoder needs a larger step
DATA=../shared/data
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1 TOKENIZERS_PARALLELISM=false

python examples/revert/make_histories.py --out "$OUT" --encoder "$ENCODER"
corpuslab revert collect "$OUT"/dumps/*.xml.bz2 "$DATA/revert/wikidata-sample-daily-dump-20140220.xml.bz2" \
  -o "$OUT/collected" --rollback-comments --workers 2
corpuslab revert prepare "$OUT/collected" -o "$OUT/prepared" --split-date 2022-06-01
corpuslab revert tune "$OUT/prepared" -o "$OUT/text-models" --base-model "$(cat "$OUT/encoder.txt")" \
  --epochs 2 --max-length 64 --batch-size 16 --lr "$LR" --max-examples 300
corpuslab revert features "$OUT/prepared" -o "$OUT/features" --text-models "$OUT/text-models" --max-length 64
corpuslab revert train "$OUT/features" -o "$OUT/model" --iterations 400 --lr 0.05
corpuslab revert eval "$OUT/model" "$OUT/features" -o "$OUT/eval"
corpuslab revert score "$OUT/model" "$OUT/collected" -o "$OUT/scores.parquet" --text-models "$OUT/text-models" --max-length 64
corpuslab revert train -o "$OUT/ores-model" --table-train "$DATA/revert/enwiki.features_reverted.training.20k_2015.tsv.bz2" \
  --table-test "$DATA/revert/enwiki.features_reverted.testing.20k_2015.tsv.bz2" --id-column 0 --iterations 1000 --lr 0.01
echo "report: $OUT/eval/report.md"
