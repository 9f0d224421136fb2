-- The user's side of a recall, after recall_message.lua took the message out of the chat: one participant's
-- conversation entry stops showing and counting it, and MESSAGE_RECALLED is appended to their stream.
-- Keys: the eighteen of lib/user_keys.lua, under the participant's tag {u:user}; unread is this conversation's set.
-- Guarantees: the last message is replaced only while it is the recalled one (a newer message stored meanwhile is
-- left in place); the message leaves the unread set and the count only where it counted; the entry is appended once
-- per recalled message (kept in stream_msgs as 'r:<msgId>', trimmed with the stream like a message's; a msgId holds
-- no ':'), so a repeat changes nothing and answers the entry the first run made. Everything that can fail is read
-- and checked before the first write (lib/check.lua). Keeps the participant's keys alive (lib/user_lifetime.lua).
-- Returns {ok, {seq, epoch, 1 when this call appended the entry or 0}}.
--!include lib/status.lua
--!include lib/user_keys.lua
--!include lib/conversation_list.lua
--!include lib/event_log.lua
local member = ARGV[1]
local msg_id = ARGV[2]
local recalled_position = decimal_arg(ARGV[3], 'recalled_position')
local replacement = ARGV[4]  -- position|blob of the participant's newest visible message now; '' for none
local bounds = bounds_arg(ARGV[5], 'bounds')  -- length:oldest:now:lifetime, see lib/user_lifetime.lua
local event_blob = ARGV[6]   -- MESSAGE_RECALLED as this participant sees it
local dedupe = 'r:' .. msg_id

check_stream(dedupe, bounds)
local current = redis.call('HGET', last, member)
local repoint = current and position_of(current) == tonumber(recalled_position)
read_user_keys(last)
local listed = redis.call('ZSCORE', convs, member)
local counted = redis.call('ZSCORE', unread, msg_id)
local unread_size = 0
if counted and listed then
  unread_size = redis.call('ZCARD', unread)
  check_unread({member})
end

if repoint then
  if replacement == '' then redis.call('HDEL', last, member) else redis.call('HSET', last, member, replacement) end
end
if counted then
  redis.call('ZREM', unread, msg_id)
  if listed then set_unread(member, unread_size - 1) end
end
local entry
if appended_seq then
  entry = {tonumber(appended_seq), stream_epoch(), 0}
else
  entry = append_event(event_blob, bounds)
  redis.call('ZADD', stream_msgs, entry[1], dedupe)
  if redis.call('ZCARD', stream_msgs) == 1 then may_have_created(stream_msgs) end
  entry[3] = 1
end
keep_alive(bounds)
return {status.ok, entry}
