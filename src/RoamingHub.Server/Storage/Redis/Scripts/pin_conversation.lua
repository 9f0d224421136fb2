-- Pins or unpins a conversation and appends the event, atomically.
-- Keys: the sixteen of lib/user_keys.lua, under the user's tag {u:user}; unread is this conversation's set.
-- Guarantees: refuses to pin a group the user is not in, and refuses at the pin limit, without writing; pinning a
-- conversation the user does not have creates it (and evicts beyond the list's limit); a call that changes nothing
-- writes nothing and appends no event.
-- When it writes, it keeps the user's keys alive (lib/user_lifetime.lua).
-- Returns {not_a_member}, {pin_limit}, {unchanged, pin time or false}, or {ok, {seq, epoch}}.
--!include lib/status.lua
--!include lib/user_keys.lua
--!include lib/conversation_list.lua
--!include lib/event_log.lua
local member = ARGV[1]
local pin = ARGV[2] == '1'
local now_ms = ARGV[3]
local max_pins = tonumber(ARGV[4])
local max_conversations = tonumber(ARGV[5])
local bounds = ARGV[6]  -- length:oldest:now:lifetime, see lib/user_lifetime.lua
local event_blob = ARGV[7]          -- the event without its seq
local group_id = ARGV[8]            -- '' for a single chat

local current = redis.call('ZSCORE', pins, member)
if pin then
  if current then return {status.unchanged, current} end
  if group_id ~= '' and redis.call('SISMEMBER', groups, group_id) == 0 then return {status.not_a_member} end
  if redis.call('ZCARD', pins) >= max_pins then return {status.pin_limit} end
  redis.call('ZADD', pins, now_ms, member)
  may_have_created(pins)
  if redis.call('ZADD', convs, 'NX', now_ms, member) == 1 then
    redis.call('HSET', created, member, now_ms)
    may_have_created(convs)
    may_have_created(created)
    redis.call('DEL', unread)
    evict(max_conversations)
  end
else
  if not current then return {status.unchanged, false} end
  redis.call('ZREM', pins, member)
end
local entry = append_event(event_blob, bounds)
keep_alive(bounds)
return {status.ok, entry}
