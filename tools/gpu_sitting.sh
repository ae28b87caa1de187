#!/usr/bin/env bash
# One sitting on a lent GPU: four segmenter variants trained side by side for MINUTES each.
# Needs gpu/ (tools/shrink_ccp.py output, the Lite0 ImageNet weights, platformdirs), carried.
# Results come back through $OUT as one tar per variant (the seed UNet's weights stay: 62 MB).
set -uo pipefail
export PYTHONPATH="$PWD:$PWD/gpu/site" PYTHONUNBUFFERED=1
MINUTES=${MINUTES:-5.5}
DEVICE=${DEVICE:-cuda}
WORKERS=${WORKERS:-3}
EXTRA=${EXTRA:-}
AMP=${AMP-"--amp"}  # AMP= turns bfloat16 autocast off (slow on CPUs without bf16 units)
OUT=${OUT:-/tmp/out}
RUNS=/tmp/runs
mkdir -p "$RUNS" "$OUT"
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true
python3 -c "import torch, torchvision; print('torch', torch.__version__, torchvision.__version__, torch.cuda.is_available())"

DATA=${DATA:-gpu/ccp}
common=(--data "$DATA" --device "$DEVICE" $AMP --minutes "$MINUTES" --epochs 1000
        --threads 1 --workers "$WORKERS" --batch 16 $EXTRA)
imagenet=(--encoder-weights gpu/lite0_imagenet_fp16.pth)
limit=$(python3 -c "print(int($MINUTES * 60 + 90))")
train() {  # name, then arguments
    local name=$1; shift
    timeout "$limit" python3 -m wardrobe_app.cli train "${common[@]}" --out "$RUNS/$name/run" "$@" \
        >"$RUNS/$name.log" 2>&1
    echo "$name exit $?"
}
train full  --crop 384x256 --lr 2e-3 "${imagenet[@]}" &
train warm  --crop 384x256 --lr 1e-3 --init resources/models/segmenter &
train crop  --crop 288x192 --lr 2e-3 "${imagenet[@]}" &
train seed  --arch unet --width 64 --crop 288x192 --lr 1e-3 &
wait

for name in full warm crop seed; do
    echo "== $name"; grep -E "epoch|budget|Error|error" "$RUNS/$name.log" | tail -4
    files=("$name.log" "$name/run/log.csv" "$name/run/curves.png" "$name/run/best/config.json")
    [ "$name" != seed ] && files+=("$name/run/best/weights.pt")
    (cd "$RUNS" && tar cf "$OUT/$name.tar" "${files[@]}" 2>/dev/null)
done
ls -la "$OUT"
