#!/usr/bin/env bash
# Runs pin-fanout against RoamingHub and against the Socket.IO peer (loadtests/socketio-peer) alternately, with the
# same load generator, nodes, devices, rate, warm-up and ramp, and prints each figure's median and range for both side
# by side. Every run gets a fresh redis-server and fresh nodes through loadtests/run-local.sh, so no run inherits
# another's heaps, caches or keys. docs/benchmarks.md holds what it printed.
#
#   loadtests/side-by-side.sh [warm|cold|both] [RUNS] [-- load generator options]
#   loadtests/side-by-side.sh both 3        # the issue's shape: 2 nodes, 2,000 users × 3 devices, 1,000 pins/s
#   loadtests/side-by-side.sh warm 1 -- --users 200 --rate 200 --warmup 5 --duration 10 --idle 5   # a quick look
#
# warm: 30-s warm-up, 60 s measured, then the connections held idle for 30 s (CPU per idle connection).
# cold: pins start as soon as the last connection is open; the first 5 s are left out and the next 15 s measured.
# On a shared machine other work distorts every figure, so each run waits until the machine has been quiet for 5 s
# (at most QUIET_BUSY % of all cores busy, 15), or QUIET_WAIT seconds (600) have passed; the table shows the other
# processes' CPU during each run's pins either way.
# TARGETS (roaminghub socketio) names the servers in each round; add floor for bare SignalR with no store
# (loadtests/SignalRFloor), the framework's own share of every figure.
# Environment: NODES (2), RAMP (connections opened per second, 2000: faster than either server admits them, so the
# connect time is the servers'), QUIET_BUSY, QUIET_WAIT, RESULTS (loadtests/results), and run-local.sh's REDIS_PORT,
# NODE_PORT, SERVER_ENV, GENERATOR_ENV, SERVER_ENVIRONMENT and READY_TO_RUN (the nodes run in Production, from a
# ReadyToRun publish, unless these say otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=both
runs=3
if [ $# -gt 0 ] && [ "$1" != "--" ]; then mode=$1; shift; fi
if [ $# -gt 0 ] && [ "$1" != "--" ]; then runs=$1; shift; fi
if [ $# -gt 0 ] && [ "$1" = "--" ]; then shift; fi
case "$mode" in warm) modes=(warm) ;; cold) modes=(cold) ;; both) modes=(warm cold) ;;
  *) echo "usage: loadtests/side-by-side.sh [warm|cold|both] [RUNS] [-- generator options]" >&2; exit 2 ;; esac
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "RUNS must be a positive number, not '$runs'" >&2; exit 2; }

nodes=${NODES:-2}
ramp=${RAMP:-2000}
read -r -a targets <<< "${TARGETS:-roaminghub socketio}"
[ "${#targets[@]}" -gt 0 ] || { echo "TARGETS names no server" >&2; exit 2; }
for target in "${targets[@]}"; do
  case "$target" in roaminghub | socketio | floor) ;; *) echo "TARGETS holds roaminghub, socketio or floor, not '$target'" >&2; exit 2 ;; esac
done
[ "$(printf '%s\n' "${targets[@]}" | sort | uniq -d)" = "" ] || { echo "TARGETS names a server twice" >&2; exit 2; }
has_target() { [[ " ${targets[*]} " == *" $1 "* ]]; }
results=${RESULTS:-loadtests/results}/side-by-side-$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$results"
generator=loadtests/RoamingHub.LoadTests/bin/Release/net10.0/RoamingHub.LoadTests.dll
quiet_busy=${QUIET_BUSY:-15}
quiet_wait=${QUIET_WAIT:-600}

# Percent of all cores busy over the next 5 s, from /proc/stat (busy: all but idle and iowait).
busy_percent() {
  local a b
  a=($(head -1 /proc/stat))
  sleep 5
  b=($(head -1 /proc/stat))
  local busy=$(((b[1] + b[2] + b[3] + b[6] + b[7] + b[8]) - (a[1] + a[2] + a[3] + a[6] + a[7] + a[8])))
  local all=$((busy + (b[4] + b[5]) - (a[4] + a[5])))
  echo $((all > 0 ? 100 * busy / all : 0))
}

wait_for_quiet() {
  local started=$SECONDS busy
  while busy=$(busy_percent); [ "$busy" -gt "$quiet_busy" ]; do
    if [ $((SECONDS - started)) -ge "$quiet_wait" ]; then
      printf '(still %s%% busy after %ss: running anyway) ' "$busy" $((SECONDS - started))
      return
    fi
    sleep 10
  done
  [ $((SECONDS - started)) -lt 10 ] || printf '(waited %ss for a quiet machine) ' $((SECONDS - started))
}

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
echo "building the servers in TARGETS (ReadyToRun unless READY_TO_RUN=0) and the load generator; installing the Socket.IO peer (npm ci) if it runs"
# run-local.sh builds the generator with any server; the peer needs no build, so with it alone RoamingHub's is built.
has_target roaminghub || has_target floor || TARGET=roaminghub BUILD_ONLY=1 loadtests/run-local.sh pin-fanout
for server in roaminghub floor; do
  if has_target "$server"; then TARGET=$server BUILD_ONLY=1 loadtests/run-local.sh pin-fanout; fi
done
if has_target socketio; then (cd loadtests/socketio-peer && npm ci --no-audit --no-fund --loglevel=error); fi

status=0
for m in "${modes[@]}"; do
  if [ "$m" = warm ]; then
    shape=(--warmup 30 --duration 60 --idle 30)
  else
    # No MONITOR probe between connecting and the first pin: the pins must meet the nodes as they come up.
    shape=(--warmup 5 --duration 15 --no-round-trip-probe)
  fi
  files=()
  for i in $(seq "$runs"); do
    for target in "${targets[@]}"; do
      out="$results/$m-$target-$i.json"
      printf '%s run %d of %d against %-10s … ' "$m" "$i" "$runs" "$target"
      wait_for_quiet
      if TARGET=$target SKIP_BUILD=1 RESULTS="$results" loadtests/run-local.sh pin-fanout "$nodes" -- \
        --ramp "$ramp" --no-redis-benchmark "${shape[@]}" --out "$out" "$@" >"$results/$m-$target-$i.log" 2>&1; then
        echo "ok"
      else
        echo "failed or lost something: see $results/$m-$target-$i.log"
        status=1
      fi
      [ -f "$out" ] && files+=("$out")
    done
  done

  echo
  echo "== $m"
  dotnet "$generator" --compare "${files[@]}" | tee "$results/$m.md" || status=1
  echo
done

echo "runs, logs and tables: $results"
exit "$status"
