#!/bin/sh
# Starts a private single-node SLURM (munged, slurmctld, slurmd -N localhost) whose every file lives
# under DIR, for nugan's SLURM tests and CI. Prints the path of DIR/env.sh, which exports SLURM_CONF
# (and NUGAN_SLURM_DIR) for clients. Daemon pids are recorded in DIR/run/*.pid; stop.sh DIR stops
# exactly those. Needs root (SlurmUser=root) and the Debian packages slurm-wlm and munge.
#
#   usage: scripts/slurm/start.sh [DIR]        (default: a new mktemp -d directory)
#   env:   NUGAN_SLURM_CTLD_PORT (default 6817), NUGAN_SLURM_SLURMD_PORT (default 6818)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-$(mktemp -d /tmp/nugan-slurm.XXXXXX)}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
ctld_port=${NUGAN_SLURM_CTLD_PORT:-6817}
slurmd_port=${NUGAN_SLURM_SLURMD_PORT:-6818}

for bin in munged slurmctld slurmd sbatch squeue scontrol; do
  command -v "$bin" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin:/sbin"
  command -v "$bin" >/dev/null 2>&1 || { echo "start.sh: $bin not found (apt-get install slurm-wlm munge)" >&2; exit 2; }
done

# Whatever this script started is stopped again if a later step fails.
started=0
cleanup() { [ "$started" = 1 ] && "$here/stop.sh" "$dir"; }
trap 'rc=$?; [ "$rc" -ne 0 ] && cleanup; exit $rc' EXIT

mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/run" "$dir/log" "$dir/dev"
chmod 700 "$dir/munge"
# munged refuses keys and sockets in directories others may write to.
chmod 755 "$dir"

# Fake GPUs: two character devices (major 195 as for /dev/nvidiaN); nothing ever opens them.
for i in 0 1; do
  [ -e "$dir/dev/nvidia$i" ] || mknod "$dir/dev/nvidia$i" c 195 "$i"
done

subst() {
  sed -e "s|@DIR@|$dir|g" -e "s|@CTLD_PORT@|$ctld_port|g" -e "s|@SLURMD_PORT@|$slurmd_port|g" "$1" > "$2"
}
subst "$here/slurm.conf.in" "$dir/slurm.conf"
subst "$here/gres.conf.in" "$dir/gres.conf"

if [ ! -s "$dir/munge/munge.key" ]; then
  dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 2>/dev/null
  chmod 400 "$dir/munge/munge.key"
fi
started=1
# --force: munged would otherwise refuse to run as root in a container.
munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
  --pid-file="$dir/run/munged.pid" --log-file="$dir/log/munged.log" --seed-file="$dir/munge/seed" 2>>"$dir/log/start.log"

export SLURM_CONF="$dir/slurm.conf"
slurmctld -f "$SLURM_CONF" >>"$dir/log/start.log" 2>&1
slurmd -f "$SLURM_CONF" -N localhost >>"$dir/log/start.log" 2>&1

cat > "$dir/env.sh" <<ENV
export SLURM_CONF='$dir/slurm.conf'
export NUGAN_SLURM_DIR='$dir'
ENV

# Wait until the node takes jobs (slurmd registered with slurmctld).
i=0
while :; do
  state=$(sinfo -h -N -o '%T' 2>/dev/null | head -n 1 || true)
  case "$state" in idle*|mixed*|allocated*) break ;; esac
  i=$((i + 1))
  if [ "$i" -gt 60 ]; then
    echo "start.sh: node did not become idle within 30 s (state '$state'); logs in $dir/log" >&2
    tail -n 20 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2 2>/dev/null || true
    exit 1
  fi
  sleep 0.5
done
echo "$dir/env.sh"
