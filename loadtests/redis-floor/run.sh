#!/usr/bin/env bash
# What Redis alone costs for the least of four operations, whatever RoamingHub does around them: the Redis rows of
# issue 16 in docs/benchmarks.md cite it. Each layout is a Lua script or plain commands; they run in turn, round after
# round (each round in a new random order, printed), on the same Redis, and each is timed by Redis's own CPU
# (INFO cpu) per operation, less what reading the CPU and opening the sending connection cost. The calls go
# pipelined, so they cost Redis no wake-up each; round_trip times what a call that waits for the one before adds.
# The pin layouts are the exception (below): each of their calls waits for the one before.
#
# - A message to a group of MEMBERS: each member's writes, all members in one call (all_members.lua in its three
#   structures: sorted_sets, RoamingHub's; lists, the cheapest; seq_only, a seq and an entry, nothing else);
#   seq_only_per_member.lua: seq_only's writes as one call per member, as Redis Cluster needs with per-user keys;
#   xadd_per_member: one plain XADD per member to a Redis stream, whose ids (1-1, 1-2, ...) count like a seq.
# - A single-chat message between two of those members, at random: message_store.lua on the chat, then
#   message_participant.lua for each participant, three calls in the slots Redis Cluster would need (message: the
#   epoch check reads the server's run_id with INFO, as a script that keeps nothing between calls must;
#   message_known_run: the run_id passed in).
# - A first page of a conversation list, PAGE_SIZE of LIST_SIZE conversations: page_fields.lua (RoamingHub's layout,
#   a hash per field), page_packed.lua (one hash of packed entries), page_precomputed.lua (the page as one value).
# - A pin or an unpin by one of those members, pushed to the other nodes through Redis pub/sub as the brief fixes:
#   pin.lua's writes (the pin, the seq, a stream entry) with the PUBLISH inside the same call (pin_and_publish), the
#   same writes then a PUBLISH of their own (pin_then_publish, two calls, as RoamingHub's node sends them), and the
#   PUBLISH alone (publish). SUBSCRIBERS redis-cli processes stand for the nodes, each subscribed to the channel.
#   These calls go one at a time, each once the last reply came, as a node at 1,000 pins/s sends them: pipelined,
#   Redis would push many messages to a subscriber in one write, which no pin gets in a real deployment.
# - round_trip: PAGE_CALLS PINGs on one connection, each sent once the last reply came.
#
#   loadtests/redis-floor/run.sh [MEMBERS] [CALLS] [ROUNDS]      # 500 members, 100 calls, 3 rounds
#
# Environment: REDIS_PORT (6391): its own redis-server on loopback, no persistence, stopped at the end (about 800 MB
# at the defaults); STREAM_LENGTH (3000, RoamingHub's default stream length) and LIST_SIZE (100, its default list
# limit): what each member holds before the first call; PAGE_SIZE (20), MESSAGE_SIZE (150 bytes, a message);
# MESSAGE_CALLS (2000) and PAGE_CALLS (5000): how many single-chat messages and pins, and pages (and PINGs) a round
# times; SUBSCRIBERS (2, the nodes of the side-by-side runs) and PUSH_SIZE (400 bytes, about what RoamingHub
# publishes for a pin).
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
subscribers=${SUBSCRIBERS:-2}
push_size=${PUSH_SIZE:-400}
group_layouts=(sorted_sets lists seq_only seq_only_per_member xadd_per_member)
message_layouts=(message message_known_run)
page_layouts=(page_fields page_packed page_precomputed)
pin_layouts=(pin_and_publish pin_then_publish publish)
layouts=("${group_layouts[@]}" "${message_layouts[@]}" "${page_layouts[@]}" "${pin_layouts[@]}" round_trip)

for n in "$members" "$calls" "$rounds" "$port" "$stream_length" "$list_size" "$page_size" "$message_size" "$page_calls" "$message_calls" "$subscribers" "$push_size"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "usage: run.sh [MEMBERS] [CALLS] [ROUNDS]; every setting a whole number above 0" >&2; exit 2; }
done
for tool in redis-server redis-cli; do
  command -v "$tool" > /dev/null || { echo "needs $tool" >&2; exit 2; }
done

workdir=$(mktemp -d)
# A child of this shell, not a daemon, so whatever stops the shell's process tree stops it too.
redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --dir "$workdir" --logfile "$workdir/redis.log" &
redis_pid=$!
subscriber_pids=()
# Runs on every exit, so no command of it may stop it under set -e (a subscriber may be gone already).
stop() {
  set +e
  kill "${subscriber_pids[@]}" "$redis_pid" 2> /dev/null
  wait "$redis_pid" 2> /dev/null
  rm -rf "$workdir"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
cli() { redis-cli -p "$port" "$@"; }
fail() { echo "$*" >&2; exit 1; }
for _ in $(seq 50); do
  [ "$(cli info server 2> /dev/null | tr -d '\r' | awk -F: '/^process_id:/ { print $2 }')" = "$redis_pid" ] && break
  kill -0 "$redis_pid" 2> /dev/null || break
  sleep 0.1
done
# Another Redis on the port would answer too: only the one started here is measured (and filled).
[ "$(cli info server 2> /dev/null | tr -d '\r' | awk -F: '/^process_id:/ { print $2 }')" = "$redis_pid" ] ||
  fail "redis-server did not start on port $port (another server there?): $(tail -3 "$workdir/redis.log" 2> /dev/null)"

# The nodes: each a connection subscribed to the delivery channel, reading what Redis pushes to it.
channel='floor:deliver'
for _ in $(seq 1 "$subscribers"); do
  redis-cli -p "$port" subscribe "$channel" > /dev/null 2>&1 &
  subscriber_pids+=($!)
done
for _ in $(seq 50); do
  [ "$(cli pubsub numsub "$channel" | tail -1)" = "$subscribers" ] && break
  sleep 0.1
done
[ "$(cli pubsub numsub "$channel" | tail -1)" = "$subscribers" ] || fail "the $subscribers subscribers did not subscribe to $channel"

ids=()
for i in $(seq 1 "$members"); do ids+=("member$i"); done
reader='floor:{u:reader}:'
run_id=$(cli info server | tr -d '\r' | awk -F: '/^run_id:/ { print $2 }')
echo "prefilling $members members ($stream_length stream entries, $list_size conversations each) and one reader"
# redis-cli exits 0 on an error reply, so each answer is checked.
filled=$(cli --eval prefill.lua , "$stream_length" "$list_size" "$(date +%s%3N)" "${ids[@]}" 2>&1) || fail "prefill.lua: $filled"
[ "$filled" = "$members" ] || fail "prefill.lua: $filled"
filled=$(cli --eval prefill_page.lua "$reader" , "$list_size" "$message_size" "$(date +%s%3N)" "$page_size" 2>&1) || fail "prefill_page.lua: $filled"
[ "$filled" = "$list_size" ] || fail "prefill_page.lua: $filled"
echo "Redis: $(cli info memory | grep '^used_memory_human' | tr -d '\r')"

declare -A sha
for script in all_members seq_only_per_member message_store message_participant pin "${page_layouts[@]}"; do
  sha[$script]=$(cli script load "$(cat "$script.lua")")
  [[ ${sha[$script]} =~ ^[0-9a-f]{40}$ ]] || fail "$script.lua: ${sha[$script]}"
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

# A msgId as long as RoamingHub's.
msg_id() { printf '%032d' "$1$RANDOM"; }

# prepare LAYOUT COUNT: the calls for that many operations, in Redis's wire protocol for redis-cli --pipe, or one
# command a line for the pin layouts (written before the CPU is read, so the time it takes is not counted). The
# one-call layouts send the same call COUNT times; the per-member ones COUNT × MEMBERS calls, each with its member's
# keys; a single-chat message its three calls.
prepare() {
  local layout=$1 count=$2 now call
  now=$(date +%s%3N)
  case "$layout" in
    round_trip) : ;;
    pin_and_publish | pin_then_publish | publish)
      # Each call changes something: odd calls pin a conversation new to this batch for a member at random, even ones
      # unpin it. One command a line, for redis-cli to send one at a time (send, below).
      local push user conversation keys in_script='""'  # an empty argument, as redis-cli reads a line
      push=$(printf "%${push_size}s" | tr ' ' p)
      [ "$layout" = pin_and_publish ] && in_script=$channel
      for call in $(seq 1 "$count"); do
        if [ "$layout" != publish ]; then
          if (( call % 2 == 1 )); then user=${ids[RANDOM % members]}; conversation="s:pin$now-$call"; fi
          keys=("floor:{u:$user}:pins" "floor:{u:$user}:seq" "floor:{u:$user}:seq-list")
          echo evalsha "${sha[pin]}" 3 "${keys[@]}" "$conversation" $(( call % 2 )) "$now" "$stream_length" "$in_script" "$push"
        fi
        [ "$layout" = pin_and_publish ] || echo publish "$channel" "$push"
      done ;;
    page_*) for call in $(seq 1 "$count"); do resp evalsha "${sha[$layout]}" 1 "$reader" "$page_size"; done ;;
    message | message_known_run)
      local known='' body a b chat position msg user key keys count_unread
      [ "$layout" = message_known_run ] && known=$run_id
      body=$(printf "%${message_size}s" | tr ' ' b)
      for call in $(seq 1 "$count"); do
        a=${ids[RANDOM % members]}
        b=${ids[RANDOM % members]}
        [ "$a" = "$b" ] && b=${ids[(RANDOM + 1) % members]}
        chat="floor:{s:$a|$b}:"
        position=$(( now * 1024 + call ))
        msg=$(msg_id "$call")
        resp evalsha "${sha[message_store]}" 3 "${chat}msgs" "${chat}bodies" "${chat}clock" "$msg" "$now" "$body"
        for user in "$a" "$b"; do
          keys=()
          for key in stream seq events stream-msgs convs last unread-counts unread-summary "unread:$a|$b"; do keys+=("floor:{u:$user}:$key"); done
          count_unread=0
          [ "$user" = "$b" ] && count_unread=1
          resp evalsha "${sha[message_participant]}" 9 "${keys[@]}" "s:$a|$b" "$msg" "$position" "$now" \
            "$position|$body" "$count_unread" "$stream_length" "$known"
        done
      done ;;
    seq_only_per_member | xadd_per_member)
      local msg id
      for call in $(seq 1 "$count"); do
        msg=$(msg_id "$call")
        for id in "${ids[@]}"; do
          if [ "$layout" = xadd_per_member ]; then
            resp xadd "floor:{u:$id}:event-stream" maxlen '~' "$stream_length" '1-*' e "$now|M|g:floor|$msg"
          else
            resp evalsha "${sha[$layout]}" 2 "floor:{u:$id}:seq" "floor:{u:$id}:seq-list" "$stream_length" g:floor "$now" "$msg"
          fi
        done
      done ;;
    *) for call in $(seq 1 "$count"); do resp evalsha "${sha[all_members]}" 0 "$layout" "$stream_length" g:floor "$now" "${ids[@]}"; done ;;
  esac > "$workdir/pipe"
}

# send LAYOUT COUNT: the prepared calls through one connection, pipelined, but one at a time (each after the last
# reply) for round_trip (COUNT PINGs) and the pin layouts; any error reply fails the run with Redis's words. Every
# reply of a pin layout must be a whole number above 0 (a seq, or the subscribers a PUBLISH reached), one a call.
send() {
  case "$1" in
    round_trip) cli -r "$2" ping > /dev/null; return ;;
    pin_* | publish)
      cli < "$workdir/pipe" > "$workdir/replies" 2>&1 || fail "$1: $(head -3 "$workdir/replies")"
      if grep -m 3 -vx '[1-9][0-9]*' "$workdir/replies" > "$workdir/errors"; then
        fail "$1: $(cat "$workdir/errors")"
      fi
      [ "$(wc -l < "$workdir/replies")" = "$(wc -l < "$workdir/pipe")" ] || fail "$1: fewer replies than calls"
      return ;;
  esac
  cli --pipe < "$workdir/pipe" > "$workdir/replies" 2>&1 || fail "$1: $(grep -v '^All data\|^Last reply' "$workdir/replies" | head -3)"
}

# What a measurement costs Redis with nothing in it (two INFO cpu reads and a connection sending nothing), so each
# figure is the operations' own: the least of five.
# The pin layouts send one command a line, which costs a little more (redis-cli asks Redis for its commands' docs).
least_overhead() {
  local least= before after
  for _ in 1 2 3 4 5; do
    : > "$workdir/pipe"
    before=$(redis_cpu_us)
    send "$1" 0
    after=$(redis_cpu_us)
    if [ -z "$least" ] || [ $(( after - before )) -lt "$least" ]; then least=$(( after - before )); fi
  done
  echo "$least"
}
overhead=$(least_overhead empty)
line_overhead=$(least_overhead publish)
echo "a measurement's own cost, taken off each figure: $overhead µs ($line_overhead µs for the pin layouts)"

declare -A results
measure() {
  local layout=$1 count=$2 what=$3 before after own per_operation
  prepare "$layout" 10  # warm-up
  send "$layout" 10
  prepare "$layout" "$count"
  before=$(redis_cpu_us)
  send "$layout" "$count"
  after=$(redis_cpu_us)
  case "$layout" in pin_* | publish) own=$line_overhead ;; *) own=$overhead ;; esac
  per_operation=$(( (after - before - own) / count ))
  results[$layout]+="$per_operation "
  echo "round $round  $layout: $per_operation µs of Redis CPU per $what"
}
for round in $(seq 1 "$rounds"); do
  mapfile -t order < <(printf '%s\n' "${layouts[@]}" | shuf)
  echo "round $round order: ${order[*]}"
  for layout in "${order[@]}"; do
    case "$layout" in
      page_*) measure "$layout" "$page_calls" "page of $page_size" ;;
      round_trip) measure "$layout" "$page_calls" "round trip" ;;
      message*) measure "$layout" "$message_calls" "single-chat message" ;;
      pin_* | publish) measure "$layout" "$message_calls" "pin" ;;
      *) measure "$layout" "$calls" "$members-member message" ;;
    esac
  done
done

# Each layout's rounds as min–max, median (the lower middle one for an even count), then each round's figure.
summary() {
  local layout values sorted
  for layout in "$@"; do
    read -r -a values <<< "${results[$layout]}"
    mapfile -t sorted < <(printf '%s\n' "${values[@]}" | sort -n)
    echo "  $layout: ${sorted[0]}–${sorted[-1]}, median ${sorted[(${#sorted[@]} - 1) / 2]}  (${values[*]})"
  done
}
echo
echo "Redis CPU per $members-member group message, µs, $rounds rounds of $calls, min–max, median:"
summary "${group_layouts[@]}"
echo "Redis CPU per single-chat message, µs, $rounds rounds of $message_calls, min–max, median:"
summary "${message_layouts[@]}"
echo "Redis CPU per first page of $page_size of $list_size conversations, µs, $rounds rounds of $page_calls, min–max, median:"
summary "${page_layouts[@]}"
echo "Redis CPU per pin pushed to $subscribers subscribers ($push_size bytes), µs, $rounds rounds of $message_calls, min–max, median:"
summary "${pin_layouts[@]}"
echo "Redis CPU per round trip (a PING sent once the last reply came), µs, $rounds rounds of $page_calls, min–max, median:"
summary round_trip
