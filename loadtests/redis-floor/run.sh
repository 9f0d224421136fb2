#!/usr/bin/env bash
# What Redis alone costs for the least of three operations, whatever RoamingHub does around them: the Redis rows of
# issue 16 in docs/benchmarks.md cite it. Each layout is a Lua script; they run in turn, round after round, on the
# same Redis, and each is timed by Redis's own CPU (INFO cpu) per call. The calls go pipelined, so they cost Redis
# no wake-up each; round_trip times what a call that waits for the one before it adds (a PING, one at a time).
#
# - A message to a group of MEMBERS: each member's writes, all members in one call (sorted_sets.lua: RoamingHub's
#   structures; lists.lua: the cheapest ones; seq_only.lua: a seq and an entry, nothing else), and
#   seq_only_per_member.lua: seq_only's writes as one call per member, pipelined, as Redis Cluster needs.
# - A single-chat message between two of those members, at random: message_store.lua on the chat, then
#   message_participant.lua for each participant, three calls in the slots Redis Cluster would need, pipelined.
# - A first page of a conversation list, PAGE_SIZE of LIST_SIZE conversations: page_fields.lua (RoamingHub's layout,
#   a hash per field), page_packed.lua (one hash of packed entries), page_precomputed.lua (the page as one value).
# - round_trip: PAGE_CALLS PINGs on one connection, each sent once the last reply came.
#
#   loadtests/redis-floor/run.sh [MEMBERS] [CALLS] [ROUNDS]      # 500 members, 100 calls, 3 rounds
#
# Environment: REDIS_PORT (6391): its own redis-server on loopback, no persistence, stopped at the end;
# STREAM_LENGTH (3000, RoamingHub's default stream length) and LIST_SIZE (100, its default list limit): what each
# member holds before the first call; PAGE_SIZE (20), MESSAGE_SIZE (150 bytes, a message); MESSAGE_CALLS (2000) and
# PAGE_CALLS (5000): how many single-chat messages and pages a round times.
set -euo pipefail
cd "$(dirname "$0")"

members=${1:-500}
calls=${2:-100}
rounds=${3:-3}
port=${REDIS_PORT:-6391}
stream_length=${STREAM_LENGTH:-3000}
list_size=${LIST_SIZE:-100}
page_size=${PAGE_SIZE:-20}
message_size=${MESSAGE_SIZE:-150}
page_calls=${PAGE_CALLS:-5000}
message_calls=${MESSAGE_CALLS:-2000}
group_layouts=(sorted_sets lists seq_only seq_only_per_member)
page_layouts=(page_fields page_packed page_precomputed)

for n in "$members" "$calls" "$rounds" "$port" "$stream_length" "$list_size" "$page_size" "$message_size" "$page_calls" "$message_calls"; do
  case "$n" in '' | *[!0-9]*) echo "usage: run.sh [MEMBERS] [CALLS] [ROUNDS]; every setting a whole number" >&2; exit 2 ;; esac
done
command -v redis-server > /dev/null || { echo "needs redis-server and redis-cli" >&2; exit 2; }

workdir=$(mktemp -d)
# A child of this shell, not a daemon, so whatever stops the shell's process tree stops it too.
redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --dir "$workdir" --logfile "$workdir/redis.log" &
redis_pid=$!
trap 'kill "$redis_pid" 2> /dev/null; wait "$redis_pid" 2> /dev/null; rm -rf "$workdir"' EXIT
trap 'exit 130' INT TERM
cli() { redis-cli -p "$port" "$@"; }
fail() { echo "$*" >&2; exit 1; }
for _ in $(seq 50); do cli ping > /dev/null 2>&1 && break; sleep 0.1; done
cli ping > /dev/null

ids=()
for i in $(seq 1 "$members"); do ids+=("member$i"); done
reader='floor:{u:reader}:'
echo "prefilling $members members ($stream_length stream entries, $list_size conversations each) and one reader"
# redis-cli exits 0 on an error reply, so each answer is checked.
filled=$(cli --eval prefill.lua , "$stream_length" "$list_size" "$(date +%s%3N)" "${ids[@]}")
[ "$filled" = "$members" ] || fail "prefill.lua: $filled"
filled=$(cli --eval prefill_page.lua "$reader" , "$list_size" "$message_size" "$(date +%s%3N)" "$page_size")
[ "$filled" = "$list_size" ] || fail "prefill_page.lua: $filled"
echo "Redis: $(cli info memory | grep '^used_memory_human' | tr -d '\r')"

declare -A sha
for layout in "${group_layouts[@]}" message_store message_participant "${page_layouts[@]}"; do
  sha[$layout]=$(cli script load "$(cat "$layout.lua")")
  [[ ${sha[$layout]} =~ ^[0-9a-f]{40}$ ]] || fail "$layout.lua: ${sha[$layout]}"
done

# Redis's CPU (user + system) so far, in µs.
redis_cpu_us() {
  cli info cpu | tr -d '\r' | awk -F: '/^used_cpu_(sys|user):/ { s += $2 } END { printf "%.0f", s * 1000000 }'
}

# One command in Redis's wire protocol, for redis-cli --pipe.
resp() {
  printf '*%d\r\n' $#
  for arg in "$@"; do printf '$%d\r\n%s\r\n' "${#arg}" "$arg"; done
}

# prepare LAYOUT COUNT: the calls for that many messages or pages, in Redis's wire protocol, for redis-cli --pipe
# (written before the CPU is read, so the time it takes is not counted). The one-call layouts send the same call
# COUNT times; the per-member layout sends COUNT × MEMBERS calls, each with its member's two keys; the single-chat
# message its three calls per message.
prepare() {
  local layout=$1 count=$2 now call
  now=$(date +%s%3N)
  case "$layout" in
    round_trip) ;;
    page_*) for call in $(seq 1 "$count"); do resp evalsha "${sha[$layout]}" 1 "$reader" "$page_size"; done ;;
    message)
      local body a b chat position user key keys count_unread
      body=$(printf "%${message_size}s" | tr ' ' b)
      for call in $(seq 1 "$count"); do
        a=${ids[RANDOM % members]}
        b=${ids[RANDOM % members]}
        [ "$a" = "$b" ] && b=${ids[(RANDOM + 1) % members]}
        chat="floor:{s:$a|$b}:"
        position=$(( now * 1024 + call ))
        resp evalsha "${sha[message_store]}" 3 "${chat}msgs" "${chat}bodies" "${chat}clock" "$call.$RANDOM" "$now" "$body"
        for user in "$a" "$b"; do
          keys=()
          for key in stream seq events stream-msgs convs last unread-counts unread-summary "unread:$a|$b"; do keys+=("floor:{u:$user}:$key"); done
          count_unread=0
          [ "$user" = "$b" ] && count_unread=1
          resp evalsha "${sha[message_participant]}" 9 "${keys[@]}" "s:$a|$b" "$call.$RANDOM" "$position" "$now" \
            "$position|$body" "$count_unread" "$stream_length"
        done
      done ;;
    seq_only_per_member)
      local msg_id id
      for call in $(seq 1 "$count"); do
        msg_id=$(printf '%032d' "$call$RANDOM")
        for id in "${ids[@]}"; do
          resp evalsha "${sha[$layout]}" 2 "floor:{u:$id}:seq" "floor:{u:$id}:event-list" "$stream_length" g:floor "$now" "$msg_id"
        done
      done ;;
    *) for call in $(seq 1 "$count"); do resp evalsha "${sha[$layout]}" 0 "$stream_length" g:floor "$now" "${ids[@]}"; done ;;
  esac > "$workdir/pipe"
}

# send: the prepared calls, through one connection; any error reply fails the run with Redis's words.
send() {
  if [ "$1" = round_trip ]; then cli -r "$page_calls" ping > /dev/null; return; fi
  cli --pipe < "$workdir/pipe" > "$workdir/replies" 2>&1 || fail "$1: $(grep -v '^All data\|^Last reply' "$workdir/replies" | head -3)"
}

declare -A results
measure() {
  local layout=$1 count=$2 what=$3 before after
  prepare "$layout" 10  # warm-up
  send "$layout"
  prepare "$layout" "$count"
  before=$(redis_cpu_us)
  send "$layout"
  after=$(redis_cpu_us)
  results[$layout]+="$(( (after - before) / count )) "
  echo "round $round  $layout: $(( (after - before) / count )) µs of Redis CPU per $what"
}
for round in $(seq 1 "$rounds"); do
  for layout in "${group_layouts[@]}"; do measure "$layout" "$calls" "$members-member message"; done
  measure message "$message_calls" "single-chat message"
  for layout in "${page_layouts[@]}"; do measure "$layout" "$page_calls" "page of $page_size"; done
  measure round_trip "$page_calls" "round trip"
done

summary() {
  local layout values sorted
  for layout in "$@"; do
    read -r -a values <<< "${results[$layout]}"
    sorted=$(printf '%s\n' "${values[@]}" | sort -n)
    echo "  $layout: $(echo "$sorted" | head -1)–$(echo "$sorted" | tail -1)  (${values[*]})"
  done
}
echo
echo "Redis CPU per $members-member group message, µs, $rounds rounds of $calls, min–max:"
summary "${group_layouts[@]}"
echo "Redis CPU per single-chat message, µs, $rounds rounds of $message_calls, min–max:"
summary message
echo "Redis CPU per first page of $page_size of $list_size conversations, µs, $rounds rounds of $page_calls, min–max:"
summary "${page_layouts[@]}"
echo "Redis CPU per round trip (a PING sent once the last reply came), µs, $rounds rounds of $page_calls, min–max:"
summary round_trip
