#!/usr/bin/env bash
# Fingerprint-overlap demo on CPU (~2-4 min): fine-tune the real stories260K Llama on English (Botchan)
# and on Japanese Wikipedia with identical fingerprint prompts, then compare and score.
#   bash examples/overlap/run_example.sh [OUT_DIR]
# stories260K has a 512-token vocabulary, so k = 100 (chance k/V = 0.195) instead of the default 2000.
set -euo pipefail
OUT="${1:-overlap-example}"
HERE="$(cd "$(dirname "$0")" && pwd)"
SHARED="${SHARED_DATA:-$HERE/../../../shared/data}"
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
mkdir -p "$OUT"

corpuslab models import-llama2c "$SHARED/models/stories260K/checkpoint_legacy.bin" \
  "$SHARED/models/stories260K/tokenizer.bin" "$OUT/stories260K"
python "$HERE/prepare_data.py" "$OUT" "$SHARED"

COMMON=(--base-model "$OUT/stories260K" --max-steps 60 --eval-steps 5 --num-train-samples 2000
        --per-device-train-batch-size 8 --gradient-accumulation-steps 1 --learning-rate 5e-4
        --warmup-steps 5 --bottom-k-vocab 100 --num-fingerprints 8 --max-length 256 --packing)
corpuslab overlap train "${COMMON[@]}" --dataset "$OUT/data_en" --output-dir "$OUT/run_en" \
  --save-fingerprints "$OUT/fingerprints_shared.json"
corpuslab overlap train "${COMMON[@]}" --dataset "$OUT/data_ja" --output-dir "$OUT/run_ja" \
  --load-fingerprints "$OUT/fingerprints_shared.json"
corpuslab overlap compare --runs "$OUT/run_en" "$OUT/run_ja" --labels English Japanese --output-dir "$OUT"
corpuslab overlap score --base "$OUT/stories260K" --models "$OUT/run_en/final_model" "$OUT/run_ja/final_model" \
  --load-fingerprints "$OUT/fingerprints_shared.json" --bottom-k-vocab 100 --output "$OUT/scores.json"
echo "open $OUT/comparison.png"
