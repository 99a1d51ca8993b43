#!/bin/sh
# CI helper: installs Debian's slurm-wlm and munge (when missing) and starts a one-node test SLURM
# (scripts/slurm/start.sh) for test/slurm. Prints shell exports on stdout, so .ci/run can do
#
#     eval "$(scripts/ci-slurm.sh)"          # exports NUGAN_SLURM_DIR and SLURM_CONF
#     npx vitest run test/slurm              # the tests reuse that cluster
#     scripts/ci-slurm.sh --stop             # stops the daemons it started, by pid
#
# Needs root. DIR defaults to $NUGAN_SLURM_DIR or /tmp/nugan-slurm-ci. Progress goes to stderr.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
PATH="$PATH:/usr/sbin:/sbin"

if [ "${1-}" = "--stop" ]; then
  dir=${2:-${NUGAN_SLURM_DIR:-/tmp/nugan-slurm-ci}}
  "$here/slurm/stop.sh" "$dir"
  exit 0
fi
dir=${1:-${NUGAN_SLURM_DIR:-/tmp/nugan-slurm-ci}}

if [ "$(id -u)" -ne 0 ]; then
  echo "ci-slurm.sh: needs root (installs packages, runs slurmctld/slurmd as SlurmUser=root)" >&2
  exit 1
fi
if ! command -v sbatch >/dev/null 2>&1 || ! command -v slurmctld >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
  echo "ci-slurm.sh: installing slurm-wlm and munge" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y --no-install-recommends slurm-wlm munge >&2
fi

# A cluster from an earlier call in this DIR is restarted cleanly.
[ -d "$dir/run" ] && "$here/slurm/stop.sh" "$dir"
"$here/slurm/start.sh" "$dir" >&2
export SLURM_CONF="$dir/slurm.conf"
echo "ci-slurm.sh: SLURM is up in $dir ($(sinfo -h -o '%P %a %D %T' | head -n 1))" >&2
echo "export NUGAN_SLURM_DIR='$dir'"
echo "export SLURM_CONF='$dir/slurm.conf'"
