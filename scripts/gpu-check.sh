#!/usr/bin/env bash
# One prepared check of the WebGPU engine on a GPU machine (e.g. an H200), printing numbers only:
#
#   1. the machine: GPU (nvidia-smi), Node, the WebGPU adapter Dawn finds;
#   2. `npm run bench -- gan`'s WebGPU section (training events/s at batch 1024 and 8192, generation
#      events/s, dispatches per step) — when the repository's node_modules (tsx) came along;
#   3. the PyTorch mirror of the same network on the same GPU, side by side (its path is an argument);
#   4. a short `train` of the default architecture on 1M reference-generator events, device: gpu;
#   5. a `generate` of 10M events from that model, device: gpu.
#
# Needs no network. Usage (from the repository root, or a directory holding dist/nugan.mjs and
# node_modules/webgpu, which the bundle leaves external):
#
#   scripts/gpu-check.sh [--node PATH] [--mirror PATH/torch-gan-mirror.py] [--work DIR] [--epochs N]
#                        [--events N] [--generate N] [--skip-bench]
#
# --events (default 1000000) and --generate (default 10000000) exist to try the script itself on a
# small scale (with NUGAN_ALLOW_SOFTWARE_GPU=1 on lavapipe). Everything it writes goes under --work
# (default: a new directory in /tmp); it prints that path.
set -uo pipefail

node=node
mirror=
work=
epochs=2
events=1000000
generate=10000000
bench=1
while [ $# -gt 0 ]; do
  case "$1" in
    --node) node=$2; shift 2 ;;
    --mirror) mirror=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --events) events=$2; shift 2 ;;
    --generate) generate=$2; shift 2 ;;
    --skip-bench) bench=0; shift ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "gpu-check: unknown argument $1" >&2; exit 2 ;;
  esac
done

root=$(pwd)
if [ -f "$root/dist/nugan.mjs" ]; then
  nugan=("$node" "$root/dist/nugan.mjs")
elif [ -f "$root/bin/nugan.mjs" ] && [ -d "$root/node_modules/tsx" ]; then
  nugan=("$node" "$root/bin/nugan.mjs")
else
  echo "gpu-check: run from a directory with dist/nugan.mjs (npm run bundle) or a repository with node_modules" >&2
  exit 2
fi
work=${work:-$(mktemp -d /tmp/nugan-gpu-check.XXXXXX)}
mkdir -p "$work"
t_start=$(date +%s)
section() { printf '\n== %s (%ds) ==\n' "$1" $(( $(date +%s) - t_start )); }

section machine
echo "work directory: $work"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
echo "node $("$node" --version)"
# Dawn's adapter, as nugan probes it (the engine records the same in every train manifest).
"$node" --input-type=module -e "
const { create } = await import('webgpu');
const a = await create([]).requestAdapter({ powerPreference: 'high-performance' });
const i = a && a.info;
console.log(i ? 'webgpu adapter: ' + [i.vendor, i.architecture, i.device, i.description].join(' | ') : 'webgpu adapter: none');
process.exit(0);" 2>&1 | grep -v '^Warning' || echo "webgpu adapter: probe failed"

section 'bench gan (WebGPU section)'
if [ $bench = 0 ]; then
  echo "skipped (--skip-bench)"
elif [ -d "$root/node_modules/tsx" ] && [ -d "$root/bench" ]; then
  BENCH_GAN=webgpu "$node" --import tsx "$root/bench/index.ts" gan 2>&1 | grep -v '^Warning'
else
  echo "skipped: no node_modules/tsx here (the bench runs from a repository checkout); steps 4-5 measure the engine through the CLI"
fi

section 'PyTorch mirror, same GPU'
if [ -n "$mirror" ] && command -v python3 >/dev/null; then
  python3 "$mirror" 2>&1 | tail -n 5
else
  echo "skipped: pass --mirror PATH/torch-gan-mirror.py (and have python3 with torch)"
fi

section "train: default architecture, $events events, $epochs epochs, device: gpu"
cat >"$work/gpu-check.yaml" <<EOF
name: gpu-check
stages:
  data:
    uses: simulate
    with: { domain: nu-carbon, events: $(( events + events / 10 )), enu: { uniform: [0.3, 10] } }
  model:
    uses: train
    with: { data: data, events: $events, device: gpu, epochs: $epochs, val_events: $(( events / 50 < 20000 ? events / 50 : 20000 )) }
EOF
(cd "$work" && "${nugan[@]}" run gpu-check.yaml --store "$work/store" --json >"$work/run.json" 2>"$work/run.log")
rc=$?
tail -n 5 "$work/run.log" | grep -v '^Warning'
if [ $rc -eq 0 ]; then
  "$node" --input-type=module -e "
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
const doc = JSON.parse(readFileSync('$work/run.json', 'utf8'));
const st = doc.stages.find((s) => s.id === 'model');
const dir = dirname(Object.values(st.outputs)[0]);
const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).summary;
const h = JSON.parse(readFileSync(join(dir, 'history.json'), 'utf8'));
console.log('engine', m.engine, '|', m.device, '| kernels', m.kernels);
console.log('train events', m.train_events, '| train_seconds (sum of epoch times, without validation)', m.train_seconds);
// Per epoch: events trained / seconds. The first epoch includes compiling the kernels; the last is the speed.
let seen = 0;
for (const e of h.epochs) {
  console.log('epoch', e.epoch, ':', (e.seconds).toFixed(2), 's,', Math.round((e.events_seen - seen) / e.seconds), 'training events/s');
  seen = e.events_seen;
}
console.log('model directory:', join(dir, 'model'));
" || true
else
  echo "train failed (exit $rc); log: $work/run.log"
fi

section "generate: $generate events, device: gpu"
model_dir=$(ls -d "$work"/store/artifacts/*/model 2>/dev/null | head -n 1)
if [ -n "$model_dir" ]; then
  "${nugan[@]}" generate --model "$model_dir" --enu-range 0.3:10 --events $generate --device gpu --out "$work/generated.arrow" 2>&1 | grep -v '^Warning' | tail -n 2
else
  echo "skipped: no trained model"
fi

section done
