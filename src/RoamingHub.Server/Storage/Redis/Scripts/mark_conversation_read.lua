-- Moves the user's read point in a conversation forward and recounts what stays unread.
-- Keys: the sixteen of lib/user_keys.lua, under the user's tag {u:user}; unread is this conversation's set.
-- Guarantees: refuses a conversation the user does not have; the read point never moves backwards, and the event
-- is appended only when it moved.
-- When it writes, it keeps the user's keys alive (lib/user_lifetime.lua).
-- Returns {not_found}, or {ok or unchanged (the read point did not move), read position, unread count, {seq, epoch} or false}.
--!include lib/status.lua
--!include lib/user_keys.lua
--!include lib/conversation_list.lua
--!include lib/event_log.lua
local member = ARGV[1]
local read_position = ARGV[2]
local bounds = ARGV[3]  -- length:oldest:now:lifetime, see lib/user_lifetime.lua
local event_blob = ARGV[4]

if not redis.call('ZSCORE', convs, member) then return {status.not_found} end
local current = tonumber(redis.call('HGET', reads, member) or '0')
local moved = tonumber(read_position) > current
if moved then
  current = tonumber(read_position)
  if redis.call('HSET', reads, member, read_position) == 1 then may_have_created(reads) end
end
redis.call('ZREMRANGEBYSCORE', unread, '-inf', string.format('%.0f', current))
local count = redis.call('ZCARD', unread)
set_unread(member, count)
local entry = moved and append_event(event_blob, bounds)
keep_alive(bounds)
return {moved and status.ok or status.unchanged, string.format('%.0f', current), count, entry}
