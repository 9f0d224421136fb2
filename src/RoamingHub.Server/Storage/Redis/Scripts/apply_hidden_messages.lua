-- The user's side of a one-way deletion, after hide_messages.lua hid messages in the chat: their conversation entry
-- stops showing and counting what they can no longer see, and the event is appended.
-- Keys: the sixteen of lib/user_keys.lua, under the user's tag {u:user}; unread is this conversation's set.
-- Guarantees: the last message is repointed only when the deletion hid it (a newer message stored meanwhile is left
-- in place); messages hidden by id and those at or below the watermark leave the unread set and count.
-- Keeps the user's keys alive (lib/user_lifetime.lua).
-- Returns {ok, {seq, epoch} or false} (false when there is no event to append).
--!include lib/status.lua
--!include lib/tail.lua
--!include lib/user_keys.lua
--!include lib/conversation_list.lua
--!include lib/event_log.lua
local member = ARGV[1]
local watermark = ARGV[2]                -- position: max(watermark, retention floor)
local replacement = ARGV[3]              -- position|blob of the newest visible message; '' to clear
local bounds = ARGV[4]  -- length:oldest:now:lifetime, see lib/user_lifetime.lua
local event_blob = ARGV[5]               -- '' when the deletion changed nothing
local hidden_positions = tail(ARGV, 6)   -- of the messages hidden by id

local hidden = {}
for _, position in ipairs(hidden_positions) do hidden[tonumber(position)] = true end
local current = redis.call('HGET', last, member)
if current then
  local position = position_of(current)
  if position <= tonumber(watermark) or hidden[position] then
    if replacement == '' then redis.call('HDEL', last, member) else redis.call('HSET', last, member, replacement) end
  end
end
redis.call('ZREMRANGEBYSCORE', unread, '-inf', watermark)
for _, position in ipairs(hidden_positions) do redis.call('ZREMRANGEBYSCORE', unread, position, position) end
if redis.call('ZSCORE', convs, member) then set_unread(member, redis.call('ZCARD', unread)) end
local entry = event_blob ~= '' and append_event(event_blob, bounds)
keep_alive(bounds)
return {status.ok, entry}
