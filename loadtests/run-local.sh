#!/usr/bin/env bash
# Runs one load scenario end to end on this machine: its own redis-server and Release server node(s) on loopback
# ports, the load generator against them, then everything stopped. Every figure in docs/benchmarks.md came from it.
#
#   loadtests/run-local.sh SCENARIO [NODES] [-- load generator options]
#   loadtests/run-local.sh pin-fanout 2 -- --duration 60
#   TARGET=socketio loadtests/run-local.sh pin-fanout 2     # the same against the Socket.IO peer
#   TARGET=floor loadtests/run-local.sh pin-fanout 2        # the same on bare SignalR with no store (the floor)
#
# Environment: TARGET (roaminghub; socketio for the peer in loadtests/socketio-peer, which this installs with
# npm ci when needed; floor for loadtests/SignalRFloor, pin-fanout only), REDIS_PORT (6390), NODE_PORT (5080; a second node takes the next port), RESULTS
# (loadtests/results), SKIP_BUILD (1: use the Release builds already there), SERVER_ENV and GENERATOR_ENV (extra
# VAR=value settings for the nodes or the generator, space-separated, e.g. SERVER_ENV="DOTNET_gcServer=0"), REDIS_ARGS
# (extra redis-server options, e.g. REDIS_ARGS="--hash-max-listpack-entries 16"),
# SERVER_ENVIRONMENT (Production, as shipped: the nodes get a signing key and an admin key made for this run; or
# Development, with the sample keys) and READY_TO_RUN (1: run the nodes from a ReadyToRun publish, as the Docker
# image ships them; 0: from the Release build output). BUILD_ONLY=1 builds and stops (side-by-side.sh builds so).
set -euo pipefail
cd "$(dirname "$0")/.."

scenario=${1:?usage: loadtests/run-local.sh SCENARIO [NODES] [-- options]}
shift
nodes=1
if [ $# -gt 0 ] && [ "$1" != "--" ]; then nodes=$1; shift; fi
if [ $# -gt 0 ] && [ "$1" = "--" ]; then shift; fi

target=${TARGET:-roaminghub}
case "$target" in roaminghub | socketio | floor) ;; *) echo "TARGET must be roaminghub, socketio or floor, not '$target'" >&2; exit 2 ;; esac
if [ "$target" != roaminghub ] && [ "$scenario" != pin-fanout ]; then echo "TARGET=$target runs pin-fanout only" >&2; exit 2; fi
# The peer's HS256 secret; the generator signs the peer's tokens with it (loopback load tests only).
peer_secret=dev-only-socketio-peer-secret-0123456789abcdef
peer_dir=loadtests/socketio-peer
redis_port=${REDIS_PORT:-6390}
node_port=${NODE_PORT:-5080}
results=${RESULTS:-loadtests/results}
mkdir -p "$results"
stamp=$(date -u +%Y%m%d-%H%M%S)
read -r -a server_env <<< "${SERVER_ENV:-}"
read -r -a generator_env <<< "${GENERATOR_ENV:-}"
read -r -a redis_args <<< "${REDIS_ARGS:-}"

server_environment=${SERVER_ENVIRONMENT:-Production}
case "$server_environment" in Production | Development) ;; *) echo "SERVER_ENVIRONMENT must be Production or Development" >&2; exit 2 ;; esac
# Production refuses the sample keys, so each run makes its own (loopback load tests only).
admin_key=dev-only-admin-key
signing_key=()
if [ "$server_environment" = Production ] || [ "$target" = floor ]; then
  admin_key=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  signing_key=("Auth__SigningKey=$(head -c 48 /dev/urandom | base64 -w0)" "Auth__AdminApiKey=$admin_key")
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# The server reads appsettings*.json from its content root: it runs from its output folder.
server_project=src/RoamingHub.Server
server_dll=RoamingHub.Server.dll
if [ "$target" = floor ]; then server_project=loadtests/SignalRFloor; server_dll=RoamingHub.SignalRFloor.dll; fi
server_dir=$server_project/bin/Release/net10.0
rid=linux-$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')
if [ "${READY_TO_RUN:-1}" = 1 ]; then server_dir=$server_project/bin/Release/net10.0/$rid/publish; fi
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  if [ "${READY_TO_RUN:-1}" = 1 ]; then
    dotnet publish "$server_project" -c Release -r "$rid" --self-contained false -p:PublishReadyToRun=true -v q -nologo >/dev/null
  else
    dotnet build "$server_project" -c Release -v q -nologo >/dev/null
  fi
  dotnet build loadtests/RoamingHub.LoadTests -c Release -v q -nologo >/dev/null
fi
[ "${BUILD_ONLY:-0}" != 1 ] || exit 0
if [ "$target" = socketio ] && [ ! "$peer_dir/node_modules/.package-lock.json" -nt "$peer_dir/package-lock.json" ]; then
  (cd "$peer_dir" && npm ci --no-audit --no-fund --loglevel=error)
fi

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --protected-mode no "${redis_args[@]}" \
  >"$results/$scenario-$stamp.redis.log" 2>&1 &
pids+=($!)
for i in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
[ "$i" -lt 50 ] || redis-cli -p "$redis_port" ping >/dev/null 2>&1 || { echo "redis-server on port $redis_port did not start" >&2; exit 1; }

urls=()
server_pids=()
for n in $(seq 0 $((nodes - 1))); do
  port=$((node_port + n))
  if [ "$target" = socketio ]; then
    (cd "$peer_dir" && exec env PORT="$port" REDIS_URL="redis://127.0.0.1:$redis_port" JWT_SECRET="$peer_secret" \
      "${server_env[@]}" node server.mjs) >"$results/$scenario-$stamp.$target-node$n.log" 2>&1 &
  else
    # Seeding sends as fast as the server takes messages, past the per-connection rate limit meant for real apps.
    (cd "$server_dir" && exec env ConnectionStrings__Redis="127.0.0.1:$redis_port" ASPNETCORE_ENVIRONMENT="$server_environment" "${signing_key[@]}" \
      Logging__LogLevel__Default=Warning Roaming__RateLimit__PerConnectionPerSecond=1000000 \
      Roaming__RateLimit__PerConnectionBurst=1000000 Roaming__RateLimit__PerUserPerSecond=1000000 \
      Roaming__RateLimit__PerUserBurst=1000000 "${server_env[@]}" dotnet "$server_dll" --urls "http://127.0.0.1:$port") \
      >"$results/$scenario-$stamp.node$n.log" 2>&1 &
  fi
  pids+=($!)
  server_pids+=($!)
  urls+=("http://127.0.0.1:$port")
done
for url in "${urls[@]}"; do
  for i in $(seq 100); do curl -fs "$url/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
  [ "$i" -lt 100 ] || curl -fs "$url/readyz" >/dev/null 2>&1 || { echo "$url never became ready" >&2; exit 1; }
done

IFS=,
env "${generator_env[@]}" dotnet loadtests/RoamingHub.LoadTests/bin/Release/net10.0/RoamingHub.LoadTests.dll \
  --scenario "$scenario" --target "$target" --peer-secret "$peer_secret" --nodes "${urls[*]}" \
  --admin-key "$admin_key" --redis "127.0.0.1:$redis_port" --server-pid "${server_pids[*]}" --out "$results/$scenario-$nodes-node-$stamp.json" "$@"
