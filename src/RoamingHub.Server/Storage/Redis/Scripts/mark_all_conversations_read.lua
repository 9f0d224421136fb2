-- Marks every conversation that has unread messages read, and appends the event.
-- Keys: the eighteen of lib/user_keys.lua (extra: the operation key of a call with a clientOpId), then the unread sets
-- of the conversations named in the arguments, all under the user's tag {u:user}.
-- Guarantees: it reads exactly the conversations that have unread messages when it runs. The caller names them from
-- an earlier read of unread-counts, so their unread sets are declared keys; when unread-counts now holds one it was
-- not given (a message arrived in between), it writes nothing and names the missing ones, and the caller calls again
-- with them. Each of them is read up to its newest unread message, a position the chat gave, never a node's clock:
-- everything that reached the user before this step is read and everything after it is not (the event sits between
-- them in the stream), whatever the clocks of the nodes that stored them. Every unread mark is cleared (one HGETALL of
-- settings, lib/conversation_settings.lua). Read points only move forward; conversations that left the list since are skipped; the event is always
-- appended. With a clientOpId its reply is the operation's outcome, stored in the same step; a repeat gets that
-- reply and changes nothing (lib/operation.lua), and its caller records the peers' reads from it again.
-- When it writes, it keeps the user's keys alive (lib/user_lifetime.lua).
-- Returns {keys_changed, the members not named}, or {ok, {seq, epoch}, the event as logged, then each member it
-- read followed by the position it read up to}.
--!include lib/status.lua
--!include lib/tail.lua
--!include lib/user_keys.lua
--!include lib/conversation_list.lua
--!include lib/conversation_settings.lua
--!include lib/event_log.lua
--!include lib/operation.lua
local unread_sets = tail(KEYS, 19)  -- one per member, in the same order, after the eighteen user keys
local bounds = bounds_arg(ARGV[1], 'bounds')  -- length:oldest:now:lifetime, see lib/user_lifetime.lua
local event_blob = ARGV[2]
local operation_window_ms = window_arg(ARGV[3], 'operation_window_ms') -- '' without a clientOpId
local members = tail(ARGV, 4)

local stored = stored_reply(operation_window_ms)
if stored then return stored end
local named = {}
for _, member in ipairs(members) do named[member] = true end
local missing = {status.keys_changed}
for _, member in ipairs(unread_members()) do
  if not named[member] then missing[#missing + 1] = member end
end
if #missing > 1 then return missing end

-- Everything that can fail is read and checked before the first write (lib/check.lua): each conversation still
-- listed, its newest unread message (which also types its unread set) and its read point.
local listed, newest, read_before = {}, {}, {}
for i, member in ipairs(members) do
  if redis.call('ZSCORE', convs, member) then
    listed[#listed + 1] = i
    newest[i] = tonumber(redis.call('ZREVRANGE', unread_sets[i], 0, 0, 'WITHSCORES')[2] or '0')
    read_before[i] = stored_number(redis.call('HGET', reads, member), 'read position') or 0
  end
end
check_unread(members)
local all_settings = redis.call('HGETALL', settings)
check_stream()

local read_up = {}
for _, i in ipairs(listed) do
  local member, position = members[i], newest[i]
  if position > read_before[i] and redis.call('HSET', reads, member, string.format('%.0f', position)) == 1 then
    may_have_created(reads)
  end
  redis.call('ZREMRANGEBYSCORE', unread_sets[i], '-inf', string.format('%.0f', position))
  set_unread(member, redis.call('ZCARD', unread_sets[i]))
  read_up[#read_up + 1] = i
end
for i = 1, #all_settings, 2 do
  local parsed = parse_settings(all_settings[i + 1])
  if parsed.unread then
    parsed.unread = false
    write_settings(all_settings[i], parsed, bounds)
  end
end
local entry = append_event(event_blob, bounds)
keep_alive(bounds)
local reply = {status.ok, entry, event_blob}
for _, i in ipairs(read_up) do
  reply[#reply + 1] = members[i]
  reply[#reply + 1] = string.format('%.0f', newest[i])
end
return answer(reply, operation_window_ms)
