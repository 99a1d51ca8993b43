#!/bin/sh
# Stops the daemons that start.sh DIR started, by the pids it recorded (never by name), slurmd first.
# A pid is only signalled while it still belongs to that daemon of that DIR (its command line names
# both), so a stale pid file never hits an unrelated process that reused the number.
#   usage: scripts/slurm/stop.sh DIR
set -u
dir=${1:?usage: stop.sh DIR}
for name in slurmd slurmctld munged; do
  f="$dir/run/$name.pid"
  [ -s "$f" ] || { rm -f "$f"; continue; }
  pid=$(cat "$f")
  cmd=$( (tr '\0' ' ' < "/proc/$pid/cmdline") 2>/dev/null || true)
  case "$cmd" in
    *"$name"*"$dir"*) ;;
    *) rm -f "$f"; continue ;;
  esac
  kill "$pid" 2>/dev/null
  i=0
  while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
  rm -f "$f"
done
exit 0
