-- Pins or unpins a conversation and appends the event, atomically.
-- Keys: the eighteen of lib/user_keys.lua, under the user's tag {u:user}; unread is this conversation's set.
-- Guarantees: refuses to pin a group the user is not in, and refuses at the pin limit, without writing; pinning a
-- conversation the user does not have creates it (and evicts beyond the list's limit); a call that changes nothing
-- writes nothing and appends no event.
-- When it writes, it keeps the user's keys alive (lib/user_lifetime.lua). With a clientOpId its reply is the
-- operation's outcome, stored in the same step; a repeat gets that reply and changes nothing (lib/operation.lua).
-- The event's push to the other nodes is published here, with the entry's seq (lib/delivery.lua); a fourth element, 1,
-- says so. A repeat answers the stored reply without it and publishes nothing: its node publishes the push.
-- Returns {not_a_member}, {pin_limit}, {unchanged, pin time or false}, or {ok, {seq, epoch}, the event as logged[, 1]}.
--!include lib/status.lua
--!include lib/user_keys.lua
--!include lib/conversation_list.lua
--!include lib/event_log.lua
--!include lib/operation.lua
--!include lib/delivery.lua
local member = ARGV[1]
local pin = ARGV[2] == '1'
local now_ms = decimal_arg(ARGV[3], 'now_ms')
local max_pins = number_arg(ARGV[4], 'max_pins')
local max_conversations = number_arg(ARGV[5], 'max_conversations')
local bounds = bounds_arg(ARGV[6], 'bounds')  -- length:oldest:now:lifetime, see lib/user_lifetime.lua
local event_blob = ARGV[7]          -- the event without its seq
local group_id = ARGV[8]            -- '' for a single chat
local operation_window_ms = window_arg(ARGV[9], 'operation_window_ms') -- '' without a clientOpId
local delivery_channel = text_arg(ARGV[10], 'delivery_channel') -- '' publishes nothing (lib/delivery.lua)
local delivery_head = text_arg(ARGV[11], 'delivery_head')       -- the delivery message up to the payload
local delivery_target = text_arg(ARGV[12], 'delivery_target')   -- its target, the user, up to the seq

local stored = stored_reply(operation_window_ms)
if stored then return stored end
local current = redis.call('ZSCORE', pins, member)
local pinned = 0
if pin then
  if current then return answer({status.unchanged, current}, operation_window_ms) end
  if group_id ~= '' and redis.call('SISMEMBER', groups, group_id) == 0 then return answer({status.not_a_member}, operation_window_ms) end
  pinned = redis.call('ZCARD', pins)
  if pinned >= max_pins then return answer({status.pin_limit}, operation_window_ms) end
elseif not current then
  return answer({status.unchanged, false}, operation_window_ms)
end

-- Everything that can fail is checked before the first write (lib/check.lua).
check_stream(nil, bounds, true)
read_user_keys(pins)
-- Pinning a conversation not yet in the list adds it, which may evict another: only then are those keys checked.
local adds = pin and not redis.call('ZSCORE', convs, member)
if adds then
  check_eviction(max_conversations, member)
  expect_user_keys(created)
end

-- The append is the first write, so its INCR checks the seq (lib/event_log.lua).
local entry = append_event(event_blob, bounds)
if pin then
  redis.call('ZADD', pins, now_ms, member)
  if pinned == 0 then may_have_created(pins) end
  if adds then
    list_activity(member, now_ms)
    evict(max_conversations)
  end
else
  redis.call('ZREM', pins, member)
end
keep_alive(bounds)
local reply = answer({status.ok, entry, event_blob}, operation_window_ms)
-- Whether this call published rides on the reply but is not kept with it: a repeat's push is published again.
if publish_entry(delivery_channel, delivery_head, delivery_target, event_blob, entry) then reply[4] = 1 end
return reply
