-- The user's side of a one-way deletion, after hide_messages.lua hid messages in the chat: their conversation entry
-- stops showing and counting what they can no longer see, and the event is appended.
-- Keys: the eighteen of lib/user_keys.lua, under the user's tag {u:user}; unread is this conversation's set; extra is
-- the operation key of a call with a clientOpId.
-- Guarantees: the last message is repointed only when the deletion hid it (a newer message stored meanwhile is left
-- in place); messages hidden by id and those at or below the watermark leave the unread set and count. It applies
-- everything the request names that is hidden, newly or before, so a retry of a deletion that stopped between the
-- chat step and this one finishes it. The event is the one of what this call hid; a call that hid nothing new logs
-- the resumed event instead when it resumes an earlier attempt of the same clientOpId (lib/operation.lua), since that
-- attempt's hiding was never reported. With a clientOpId its reply is the operation's outcome, stored in the same
-- step; a repeat gets that reply and changes nothing.
-- Keeps the user's keys alive (lib/user_lifetime.lua).
-- Never shows a recalled message: when the replacement (chosen by the chat step, which may have run before a recall
-- of the same chat) was recalled and that recall's step reached this user already ('r:<its msgId>' in stream_msgs,
-- apply_recall.lua), that step found the hidden message still the last one and left it, and nothing would repoint it
-- again. Then the call writes nothing and answers stale: the caller asks the chat step again for the newest visible
-- message and calls again. A replacement whose recall has not reached the user yet is fine: that recall's step
-- repoints it when it does. A stored reply is answered before this check, as the call it answers is done.
-- Returns {ok, {seq, epoch} or false, the event logged or, when none was, the event of what this call hid} or {stale}.
--!include lib/status.lua
--!include lib/tail.lua
--!include lib/user_keys.lua
--!include lib/conversation_list.lua
--!include lib/event_log.lua
--!include lib/operation.lua
local member = ARGV[1]
local watermark = decimal_arg(ARGV[2], 'watermark')  -- position: max(watermark, retention floor)
local replacement = ARGV[3]              -- position|blob of the newest visible message; '' to clear
local replacement_id = ARGV[4]           -- that message's msgId; '' for none
local bounds = bounds_arg(ARGV[5], 'bounds')  -- length:oldest:now:lifetime, see lib/user_lifetime.lua
local event_blob = ARGV[6]               -- the event of what this call hid
local hid_something = ARGV[7] == '1'     -- whether the chat step hid anything new
local resumed_event_blob = ARGV[8]       -- the event of everything the request names that is hidden; '' for none
local operation_window_ms = window_arg(ARGV[9], 'operation_window_ms')  -- '' without a clientOpId
local hidden_positions = decimals_arg(tail(ARGV, 10), 'hidden_positions')  -- of the messages the request names that are hidden by id

local stored = stored_reply(operation_window_ms)
if stored then return stored end
-- Everything is read and checked before the first write (lib/check.lua).
local hidden = {}
for _, position in ipairs(hidden_positions) do hidden[tonumber(position)] = true end
local current = redis.call('HGET', last, member)
local repoint = false
if current then
  local position = position_of(current)
  repoint = position <= tonumber(watermark) or hidden[position] == true
end
if repoint and replacement_id ~= '' then
  -- The replacement's recall entry (written by apply_recall.lua): a read, so a stream_msgs of another type fails here.
  local recalled = redis.call('ZSCORE', stream_msgs, 'r:' .. replacement_id)
  read_user_keys(stream_msgs)
  if recalled then return {status.stale} end
end
local listed = redis.call('ZSCORE', convs, member)
local unread_size = redis.call('ZCARD', unread)
if listed then check_unread({member}) end
local logged = false
if hid_something then
  logged = event_blob
elseif resumed_event_blob ~= '' and resuming(operation_window_ms) then
  logged = resumed_event_blob
end
if logged then check_stream() else check_keep_alive() end

if repoint then
  if replacement == '' then redis.call('HDEL', last, member) else redis.call('HSET', last, member, replacement) end
end
local removed = redis.call('ZREMRANGEBYSCORE', unread, '-inf', watermark)
for _, position in ipairs(hidden_positions) do removed = removed + redis.call('ZREMRANGEBYSCORE', unread, position, position) end
if listed then set_unread(member, unread_size - removed) end
local entry = logged and append_event(logged, bounds)
keep_alive(bounds)
return answer({status.ok, entry, logged or event_blob}, operation_window_ms)
