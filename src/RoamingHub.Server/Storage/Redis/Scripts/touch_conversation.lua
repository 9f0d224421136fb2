-- Appends a message to one participant's stream and, unless the message leaves lists alone, moves the conversation
-- to the top of their list and counts it unread for a recipient.
-- Keys: the eighteen of lib/user_keys.lua, under the participant's tag {u:user}; unread is this conversation's set.
-- Guarantees: activity and the last message only move forward and the unread set is keyed by msgId, so a replay
-- counts nothing twice and reordered sends count all. Adding the conversation sets its creation time, resets its
-- unread set and evicts beyond the list's limit. Unread entries past retention are trimmed by the housekeeping of
-- lib/housekeeping.lua. Keeps the participant's keys alive (lib/user_lifetime.lua): a message received is activity.
-- The unread set lives as long as the shorter of the chat's and the user's lifetimes, renewed with the
-- housekeeping: it is of no use once its messages or its user's counts are gone.
-- The stream entry is appended once per msgId (lib/event_log.lua), so a retried or half-finished send makes one;
-- once the message's recall reached this participant ('r:<msgId>' in stream_msgs) the call changes nothing.
-- A conversation with marks moves in the mark index with its activity (lib/conversation_settings.lua): one HGET per
-- call, and a ZADD per mark only for a conversation that has marks.
-- Returns {ok, {seq, epoch}}: the message's entry in the participant's stream.
--!include lib/status.lua
--!include lib/user_keys.lua
--!include lib/conversation_list.lua
--!include lib/conversation_settings.lua
--!include lib/housekeeping.lua
--!include lib/event_log.lua
local member = ARGV[1]
local timestamp_ms = decimal_arg(ARGV[2], 'timestamp_ms')
local position = decimal_arg(ARGV[3], 'position')
local positioned_message = ARGV[4]  -- position|blob
local max_conversations = number_arg(ARGV[5], 'max_conversations')
local count_unread = ARGV[6] == '1'
local msg_id = ARGV[7]
local retention_floor = decimal_arg(ARGV[8], 'retention_floor')  -- position
local unread_lifetime_ms = decimal_arg(ARGV[9], 'unread_lifetime_ms')
local update_list = ARGV[10] == '1' -- '0' for a message that goes into history only
local bounds = bounds_arg(ARGV[11], 'bounds')  -- length:oldest:now:lifetime, see lib/user_lifetime.lua

-- Everything that can fail is read and checked before the first write (lib/check.lua).
check_stream(msg_id, bounds, true)  -- append_message is the first write
-- A delivery step that runs after the recall reached this participant (a late or retried send) brings nothing
-- back: no last message, unread count, activity or stream entry.
if recalled_seq then
  local entry = append_message(member, msg_id, position, bounds)
  keep_alive(bounds)
  return {status.ok, entry}
end
local listed, previous, read_position, unread_size, marks
if update_list then
  listed = redis.call('ZSCORE', convs, member)
  local current = redis.call('HGET', last, member)
  previous = current and position_of(current) or 0
  read_user_keys(convs, last)
  marks = {}
  if listed then
    marks = parse_settings(redis.call('HGET', settings, member)).marks
    read_user_keys(settings)
    if #marks > 0 then expect_user_keys(marked) end
  end
  if count_unread then
    read_position = stored_number(redis.call('HGET', reads, member), 'read position') or 0
    read_user_keys(reads)
    -- A conversation this call adds starts its unread set again.
    unread_size = listed and redis.call('ZCARD', unread) or 0
    check_unread({member})
  end
  if not listed then
    check_eviction(max_conversations, member)
    expect_user_keys(created)
  end
end

local entry = append_message(member, msg_id, position, bounds)
if not update_list then
  keep_alive(bounds)
  return {status.ok, entry}
end

local added = list_activity(member, timestamp_ms)
if #marks > 0 then index_marks(member, marks, timestamp_ms) end
if previous < tonumber(position) and redis.call('HSET', last, member, positioned_message) == 1 then
  may_have_created(last)
end
if count_unread then
  local counted = 0
  if tonumber(position) > read_position then
    counted = redis.call('ZADD', unread, 'NX', position, msg_id)
  end
  local housekeeping = added or new_minute(previous, position)
  local removed = 0
  if housekeeping then removed = redis.call('ZREMRANGEBYSCORE', unread, '-inf', retention_floor) end
  local count = unread_size + counted - removed
  -- A read that emptied the set removed it, lifetime and all: the message that starts it again renews it.
  if housekeeping or (counted == 1 and count == 1) then redis.call('PEXPIRE', unread, unread_lifetime_ms) end
  set_unread(member, count)
end
if added then evict(max_conversations) end
keep_alive(bounds)
return {status.ok, entry}
