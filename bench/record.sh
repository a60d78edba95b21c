#!/usr/bin/env bash
# Run one bench and keep its tables: bench/record.sh NAME [ARGS...] writes bench/results/NAME.txt with the
# command, the date, the machine and its load, then the bench's own output (rich tables, 160 columns).
set -euo pipefail
cd "$(dirname "$0")/.."
name=$1
shift
out=bench/results/$name.txt
mkdir -p bench/results
{
  echo "\$ .venv/bin/python -m bench.$name $*"
  echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$out"
start=$(date +%s)
COLUMNS=160 .venv/bin/python -m "bench.$name" "$@" 2>&1 | grep -v -e '^WARNING: Location' -e 'Loading weights:' >>"$out"
echo "# wall time: $(($(date +%s) - start)) s" >>"$out"
tail -n 3 "$out"
