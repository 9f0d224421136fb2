-- The user's side of a recall, after recall_message.lua took the message out of the chat: one participant's
-- conversation entry stops showing and counting it, and MESSAGE_RECALLED is appended to their stream.
-- Keys: the eighteen of lib/user_keys.lua, under the participant's tag {u:user}; unread is this conversation's set.
-- Guarantees: the last message is replaced only while it is the recalled one (a newer message stored meanwhile is
-- left in place); the message leaves the unread set and the count only where it counted; the entry is appended once
-- per recalled message (kept in stream_msgs as 'r:<msgId>', trimmed with the stream like a message's; a msgId holds
-- no ':'), so a repeat changes nothing and answers the entry the first run made. Everything that can fail is read
-- and checked before the first write (lib/check.lua). Keeps the participant's keys alive (lib/user_lifetime.lua).
-- Never shows a recalled message: when the replacement (chosen by the chat step, which may have run before another
-- recall of the same chat) was recalled itself and that recall's step reached this participant already ('r:<its
-- msgId>' in stream_msgs), its step left this entry alone and nothing would repoint it again. Then the call writes
-- nothing and answers stale: the caller asks the chat step again for the newest visible message and calls again. A
-- replacement whose recall has not reached the participant yet is fine: that recall's step repoints it when it does.
-- Returns {ok, {seq, epoch, 1 when this call appended the entry or 0}} or {stale}.
--!include lib/status.lua
--!include lib/user_keys.lua
--!include lib/conversation_list.lua
--!include lib/event_log.lua
local member = ARGV[1]
local msg_id = ARGV[2]
local recalled_position = decimal_arg(ARGV[3], 'recalled_position')
local replacement = ARGV[4]  -- position|blob of the participant's newest visible message now; '' for none
local replacement_id = ARGV[5]  -- that message's msgId; '' for none
local bounds = bounds_arg(ARGV[6], 'bounds')  -- length:oldest:now:lifetime, see lib/user_lifetime.lua
local event_blob = ARGV[7]   -- MESSAGE_RECALLED as this participant sees it
local dedupe = 'r:' .. msg_id

-- The same read answers this recall's entry (appended_seq) and the replacement's recall entry (recalled_seq).
check_stream(dedupe, bounds, false, replacement_id)
local current = redis.call('HGET', last, member)
local repoint = current and position_of(current) == tonumber(recalled_position)
if repoint and replacement_id ~= '' and recalled_seq then return {status.stale} end
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
