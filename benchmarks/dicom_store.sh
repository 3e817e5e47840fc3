#!/usr/bin/env bash
# C-STORE ingest (PLAT-2) against folder ingest of the same files.
# Usage: benchmarks/dicom_store.sh [BUILD_DIR]   (BENCH_INSTANCES, BENCH_ROUNDS, BENCH_WORK)
# Each round: `portal ingest FOLDER` into a fresh data directory, then `portal dicom listen` on a
# fresh data directory fed by 4 parallel storescu associations (TCP_NODELAY=1) with the same
# files, split round-robin. Both are durable (acknowledged = flushed). Loopback only.
set -euo pipefail
BUILD=${1:-build}
WORK=${BENCH_WORK:-benchmarks/work}
N=${BENCH_INSTANCES:-1000}
ROUNDS=${BENCH_ROUNDS:-3}
ASSOC=${BENCH_ASSOCIATIONS:-4}
PORT=${BENCH_PORT:-11119}
PORTAL=$BUILD/shells/cli/portal
DURABLE=${BENCH_DURABLE:-true}   # false: no flushes on either side (the CPU and network path only)
mkdir -p "$WORK"

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(lscpu | sed -n 's/^Model name: *//p')"
if [ ! -f "$WORK/ct$N/manifest.json" ]; then
  /usr/bin/python3 tests/data/gen_studies.py "$WORK/ct$N" --preset bench --ct-instances "$N" >/dev/null
fi
SRC="$WORK/ct$N"
STUDY_DIR="$SRC/$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["studies"][0]["path"])' "$SRC/manifest.json")"
find "$STUDY_DIR" -type f | sort > "$WORK/files.txt"
COUNT=$(wc -l < "$WORK/files.txt")
split -n r/"$ASSOC" -d "$WORK/files.txt" "$WORK/part."
cat $(cat "$WORK/files.txt") > /dev/null   # warm the page cache

now() { date +%s.%N; }
for r in $(seq "$ROUNDS"); do
  rm -rf "$WORK/dfolder" "$WORK/dnet"; sync
  "$PORTAL" --data "$WORK/dfolder" init >/dev/null
  printf '[storage]\ndurable = %s\n' "$DURABLE" > "$WORK/dfolder/portal.toml"
  t0=$(now); "$PORTAL" --data "$WORK/dfolder" ingest "$STUDY_DIR" >/dev/null; t1=$(now)

  "$PORTAL" --data "$WORK/dnet" init >/dev/null
  printf '[storage]\ndurable = %s\n' "$DURABLE" > "$WORK/dnet/portal.toml"
  sync
  "$PORTAL" --data "$WORK/dnet" dicom listen --port "$PORT" > "$WORK/listen.log" &
  LISTENER=$!
  for _ in $(seq 100); do grep -q listening "$WORK/listen.log" && break; sleep 0.05; done
  t2=$(now)
  pids=()
  for part in "$WORK"/part.*; do
    TCP_NODELAY=1 xargs -a "$part" storescu -aec PORTAL 127.0.0.1 "$PORT" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  t3=$(now)
  kill -TERM "$LISTENER"; wait "$LISTENER" || true
  stored=$(sed -n 's/.* \([0-9]*\) stored.*/\1/p' "$WORK/listen.log")
  sed -n "s/^stopped: /  receiver: /p" "$WORK/listen.log"
  awk -v n="$COUNT" -v s="$stored" -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v k="$ASSOC" 'BEGIN{
    f = n/(b-a); net = n/(d-c);
    printf "round %d: folder %.2f s (%.0f inst/s); C-STORE x%d %.2f s (%.0f inst/s, %d stored) = %.0f%% of folder\n",
      '"$r"', b-a, f, k, d-c, net, s, 100*net/f}'
done
rm -rf "$WORK/dfolder" "$WORK/dnet" "$WORK"/part.* "$WORK/files.txt" "$WORK/listen.log"
