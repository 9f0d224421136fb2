-- Moves the user's read point in a conversation forward and recounts what stays unread.
-- Keys: the eighteen of lib/user_keys.lua, under the user's tag {u:user}; unread is this conversation's set.
-- Guarantees: refuses a conversation the user does not have; the read point never moves backwards, and the event
-- is appended only when it moved or when it cleared the conversation's unread mark (lib/conversation_settings.lua).
-- An event always carries the read point after the call: where it only clears the mark, that is the point as it
-- stays, which the caller names with clear_position and its event; when the caller named none or another, it writes
-- nothing and answers {stale, read position}, to be called again with that one.
-- When it writes, it keeps the user's keys alive (lib/user_lifetime.lua). With a clientOpId its reply is the
-- operation's outcome, stored in the same step; a repeat gets that reply and changes nothing (lib/operation.lua), and
-- its caller records the peer's read from it again when the point moved (record_peer_read.lua only moves forward).
-- Returns {not_found}, {stale, read position}, or {ok or unchanged (the read point did not move, no mark was
-- cleared), read position, unread count, {seq, epoch} or false, the event as logged or false, moved (0/1)}.
--!include lib/status.lua
--!include lib/user_keys.lua
--!include lib/conversation_list.lua
--!include lib/conversation_settings.lua
--!include lib/event_log.lua
--!include lib/operation.lua
local member = ARGV[1]
local read_position = decimal_arg(ARGV[2], 'read_position')  -- no further than the chat's clock, read by the caller: never a node's clock alone
local bounds = bounds_arg(ARGV[3], 'bounds')  -- length:oldest:now:lifetime, see lib/user_lifetime.lua
local event_blob = ARGV[4]
local operation_window_ms = window_arg(ARGV[5], 'operation_window_ms') -- '' without a clientOpId
local clear_event_blob = ARGV[6]   -- the event of a read that only clears the mark, at clear_position; '' for none
local clear_position = ARGV[7]     -- the read position the caller expects to stay; '' when it has not read it

local stored = stored_reply(operation_window_ms)
if stored then return stored end
if not redis.call('ZSCORE', convs, member) then return answer({status.not_found}, operation_window_ms) end
-- Everything that can fail is read and checked before the first write (lib/check.lua).
local current = stored_number(redis.call('HGET', reads, member), 'read position') or 0
local moved = tonumber(read_position) > current
local unread_size = redis.call('ZCARD', unread)
local kept = parse_settings(redis.call('HGET', settings, member))
local clears = kept.unread
check_unread({member})
if moved or clears then check_stream(nil, bounds) else check_keep_alive() end
local blob = event_blob
if clears and not moved then
  local stays = string.format('%.0f', current)
  if clear_position ~= stays then return {status.stale, stays} end
  blob = clear_event_blob
end

if moved then
  current = tonumber(read_position)
  if redis.call('HSET', reads, member, read_position) == 1 then may_have_created(reads) end
end
local count = unread_size - redis.call('ZREMRANGEBYSCORE', unread, '-inf', string.format('%.0f', current))
set_unread(member, count)
if clears then
  kept.unread = false
  write_settings(member, kept, bounds)
end
local logs = moved or clears
local entry = logs and append_event(blob, bounds)
keep_alive(bounds)
return answer({logs and status.ok or status.unchanged, string.format('%.0f', current), count, entry, logs and blob, moved and 1 or 0}, operation_window_ms)
