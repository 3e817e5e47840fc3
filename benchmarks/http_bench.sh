#!/usr/bin/env bash
# portald over loopback with wrk (issue [http]): one study's JSON and a 150-row study search,
# answered to a personal access token (bearer). Prints throughput, latency and the server's own
# CPU time per request (from /proc), which stays meaningful when other work shares the machine.
# usage: benchmarks/http_bench.sh [BUILD_DIR] [WORK_DIR] [SECONDS]
set -euo pipefail
BUILD=${1:-build}
WORK=${2:-/tmp/portal-http-bench}
SECONDS_PER_RUN=${3:-10}
PORTAL="$BUILD/shells/cli/portal"
PORTALD="$BUILD/shells/http/portald"
command -v wrk >/dev/null || { echo "http_bench: install wrk (scripts/install-deps.sh)" >&2; exit 1; }

mkdir -p "$WORK"
if [ ! -f "$WORK/in/manifest.json" ]; then
  /usr/bin/python3 tests/data/gen_studies.py "$WORK/in" --preset test --studies 200 --seed 3 >/dev/null
fi
rm -rf "$WORK/data"
"$PORTAL" init "$WORK/data" >/dev/null
"$PORTAL" --data "$WORK/data" ingest "$WORK"/in/*/ | tail -1
password=$(/usr/bin/python3 -c 'import secrets; print(secrets.token_urlsafe(15) + "-Aa9")')
printf '%s\n' "$password" | "$PORTAL" --data "$WORK/data" admin create bench \
  --email bench@example.org --password-stdin >/dev/null
TOKEN=$("$PORTAL" --data "$WORK/data" tokens create --user bench --name wrk --json |
        /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
printf '[http]\naccess_log = ""\n' > "$WORK/data/portal.toml"

"$PORTALD" --data "$WORK/data" --listen 127.0.0.1:0 2> "$WORK/portald.log" &
PID=$!
trap 'kill -TERM $PID 2>/dev/null; wait $PID 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q "listening on" "$WORK/portald.log" && break; sleep 0.1; done
PORT=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$WORK/portald.log" | grep -o '[0-9]*$')
URL="http://127.0.0.1:$PORT"
STUDY=$(curl -s -H "Authorization: Bearer $TOKEN" "$URL/api/studies?limit=1" |
        /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["studies"][0]["uid"])')
ROWS=$(curl -s -H "Authorization: Bearer $TOKEN" "$URL/api/studies" |
       /usr/bin/python3 -c 'import json, sys; print(len(json.load(sys.stdin)["studies"]))')

echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'); load: $(cut -d' ' -f1-3 /proc/loadavg)"
run() {  # name, connections, url
  local t0 t1 out req
  t0=$(awk '{print $14 + $15}' "/proc/$PID/stat")
  out=$(wrk -t2 -c"$2" -d"${SECONDS_PER_RUN}s" --latency -H "Authorization: Bearer $TOKEN" "$3")
  t1=$(awk '{print $14 + $15}' "/proc/$PID/stat")
  req=$(echo "$out" | awk '/requests in/{print $1}')
  awk -v name="$1" -v c="$2" -v req="$req" -v cpu="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" \
      -v rps="$(echo "$out" | awk '/Requests\/sec/{print $2}')" \
      -v p50="$(echo "$out" | awk '$1=="50%"{print $2}')" \
      -v p99="$(echo "$out" | awk '$1=="99%"{print $2}')" \
      'BEGIN{printf "%-22s c=%-3d %9.0f req/s  p50 %-8s p99 %-8s server CPU %.0f us/request\n",
             name, c, rps, p50, p99, cpu * 1e6 / hz / req}'
}
run "study JSON" 32 "$URL/api/studies/$STUDY"
run "search ($ROWS rows)" 16 "$URL/api/studies"
run "no route (baseline)" 16 "$URL/no-such-route"
