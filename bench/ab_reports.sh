#!/bin/bash
# One report from two checkouts, alternating, N runs each: best CPU, best and mean wall seconds per side.
#   bench/ab_reports.sh BEFORE_DIR DATA N REPORT [options...]     (run from this checkout's root)
# Each side has its own base-table cache folder (bench/out/cache-ours, bench/out/cache-before).
set -eu
before=$(cd "$1" && pwd); data=$(cd "$2" && pwd); n=$3; shift 3
ours=$(pwd); python=${PYTHON:-$ours/.venv/bin/python}
for _ in $(seq "$n"); do
  for side in ours before; do
    dir=$([ "$side" = ours ] && echo "$ours" || echo "$before")
    (cd "$dir" && RETENTION_CACHE_DIR="$ours/bench/out/cache-$side" PYTHONPATH="$dir" \
      /usr/bin/time -f "$side %U %S %e" "$python" -m retention "$@" --data "$data" --out /dev/null) 2>&1 | tail -1
  done
done | awk '{cpu=$2+$3; n[$1]++; s[$1]+=$4; if(!($1 in b)||cpu<b[$1])b[$1]=cpu; if(!($1 in w)||$4<w[$1])w[$1]=$4}
  END{for(k in b) printf "%s best cpu %.2f best wall %.2f mean wall %.2f\n", k, b[k], w[k], s[k]/n[k]}'
