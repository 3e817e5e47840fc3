#!/usr/bin/env bash
# Reproduces the figures of benchmarks/README.md. Usage: benchmarks/run.sh [BUILD_DIR]
# Ingest: N generated 512x512 CT instances, each round timing `cp -r` of the folder and then the
# ingest of the same folder (page cache warm for both, dirty data flushed between runs).
set -euo pipefail
BUILD=${1:-build}
WORK=${BENCH_WORK:-benchmarks/work}
N=${BENCH_INSTANCES:-2000}
ROUNDS=${BENCH_ROUNDS:-3}
STUDIES=${BENCH_STUDIES:-100000}
BENCH=$BUILD/benchmarks/portal_bench
mkdir -p "$WORK"

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(lscpu | sed -n 's/^Model name: *//p')"
echo "disk: $(df -T "$WORK" | awk 'NR==2{print $2}') on $(df "$WORK" | awk 'NR==2{print $1}')"

if [ ! -f "$WORK/ct$N/manifest.json" ]; then
  /usr/bin/python3 tests/data/gen_studies.py "$WORK/ct$N" --preset bench --ct-instances "$N"
fi
SRC="$WORK/ct$N"
# The manifest is not DICOM: ingest the study folder only.
STUDY_DIR="$SRC/$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["studies"][0]["path"])' "$SRC/manifest.json")"
BYTES=$(du -sb "$STUDY_DIR" | cut -f1)
cat "$SRC"/*/*/* > /dev/null 2>&1 || true   # warm the page cache once

for r in $(seq "$ROUNDS"); do
  rm -rf "$WORK/cp" "$WORK/data"; sync
  t0=$(date +%s.%N); cp -r "$STUDY_DIR" "$WORK/cp"; t1=$(date +%s.%N); sync; t2=$(date +%s.%N)
  awk -v b="$BYTES" -v n="$N" -v a="$t0" -v c="$t1" -v d="$t2" 'BEGIN{
    printf "round %d cp -r: %.2f s (%.0f MB/s, %.0f files/s); cp -r + sync: %.2f s (%.0f MB/s)\n",
      '"$r"', c-a, b/1e6/(c-a), n/(c-a), d-a, b/1e6/(d-a)}'
  rm -rf "$WORK/cp"; sync
  "$BENCH" ingest "$STUDY_DIR" "$WORK/data" | sed "s/^/round $r /"
done
rm -rf "$WORK/cp" "$WORK/data"

"$BENCH" search "$WORK/search-$STUDIES" "$STUDIES"

# Web study list (LIST-5): sign-in -> 150 rows displayed in headless Chromium, on the same index
# (needs `make web`; skipped without node or chromium).
if command -v node >/dev/null && [ -x /usr/bin/chromium ] && [ -f shells/http/web/dist/index.html ]; then
  node benchmarks/web_list.mjs "$BUILD" "$WORK/search-$STUDIES" 20
fi

# Rendering: 512x512 16-bit CT frames to JPEG q90, PNG and 256-px thumbnails.
if [ ! -f "$WORK/ct20/manifest.json" ]; then
  /usr/bin/python3 tests/data/gen_studies.py "$WORK/ct20" --preset bench --ct-instances 20
fi
"$BUILD/benchmarks/render_bench" "$WORK/ct20" 50

# C-STORE ingest with 4 parallel associations against folder ingest of the same files (PLAT-2).
benchmarks/dicom_store.sh "$BUILD"
