-- Stores a message once in its chat and answers who must be told.
-- Keys: the chat's, under its tag {s:a|b} or {g:group}.
-- Guarantees: a group refuses a sender who is not a member; a clientMsgId repeated within its window writes nothing
-- and answers the first message (its id and position without a blob when it was recalled since, which a repeat must
-- not bring back); otherwise the message gets the next position, max(now * 1024, previous + 1), so
-- positions only grow. Retention costs no scan and keeps up with any send rate: every message removes up to two
-- expired messages, oldest first, so a chat holds no more expired messages than it did, however fast it grows; the
-- first message of each minute (by the chat's clock) removes up to 100, so a slow chat sheds an old burst too, trims
-- the hidden ids retention made pointless and renews the keys' lifetime, so an idle chat's keys expire by
-- themselves. Reads hide what is past retention in between. Watermarks below the retention floor are harmless (the
-- floor hides more) and expire with the chat.
-- Returns {not_a_member}, or {ok or duplicate, msgId, position, blob of the first message or false, group members...}.
--!include lib/status.lua
--!include lib/housekeeping.lua
--!include lib/check.lua
local messages_key = KEYS[1]
local bodies_key = KEYS[2]
local clock_key = KEYS[3]
local client_msg_id_key = KEYS[4]
local sender_hidden_key = KEYS[5]
local recipient_hidden_key = KEYS[6]   -- the sender's own again in a group chat
local members_key = KEYS[7]
local recalled_key = KEYS[8]
local msg_id = ARGV[1]
local now_ms = number_arg(ARGV[2], 'now_ms')
local blob = ARGV[3]
local client_msg_id_window_ms = window_arg(ARGV[4], 'client_msg_id_window_ms') -- '' when the message has no clientMsgId
local retention_floor = decimal_arg(ARGV[5], 'retention_floor')  -- position
local key_lifetime_ms = decimal_arg(ARGV[6], 'key_lifetime_ms')
local sender = ARGV[7]
local is_group = ARGV[8] == '1'

local members = {}
if is_group then
  if redis.call('SISMEMBER', members_key, sender) == 0 then return {status.not_a_member} end
  members = redis.call('SMEMBERS', members_key)
end
local function answer(outcome, id, position, stored_blob)
  local result = {outcome, id, position, stored_blob}
  for _, member in ipairs(members) do result[#result + 1] = member end
  return result
end
if client_msg_id_window_ms ~= '' then
  local first = redis.call('GET', client_msg_id_key)
  if first then
    local position = redis.call('ZSCORE', messages_key, first)
    local first_blob = redis.call('HGET', bodies_key, first)
    if position and first_blob then return answer(status.duplicate, first, position, first_blob) end
    local recalled_at = not position and redis.call('ZSCORE', recalled_key, first)
    if recalled_at then return answer(status.duplicate, first, recalled_at, false) end
  end
end
-- Everything that can fail is read and checked before the first write (lib/check.lua). The new message is above
-- the retention floor, so the expired ones are found before it is added (one more, in case msg_id is among them).
local previous = stored_number(redis.call('GET', clock_key), 'clock') or 0
local position = string.format('%.0f', math.max(now_ms * 1024, previous + 1))
local housekeeping = new_minute(previous, position)
-- Without a clock (a chat's first message, or the first since its keys expired) there are no hidden ids to trim: a
-- hide renews their lifetime only while the chat has messages, so they expire no later than the clock.
local trims_hidden = housekeeping and previous > 0
local limit = housekeeping and 100 or 2
local expired = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', messages_key, '-inf', retention_floor, 'LIMIT', 0, limit + 1)) do
  if id ~= msg_id and #expired < limit then expired[#expired + 1] = id end
end
if trims_hidden then
  expect_type(sender_hidden_key, 'zset', 'hidden')
  expect_type(recipient_hidden_key, 'zset', 'hidden')
end

-- The body goes first: bodies is the one key written here that nothing read, so this write is its check.
redis.call('HSET', bodies_key, msg_id, blob)
redis.call('ZADD', messages_key, position, msg_id)
redis.call('SET', clock_key, position, 'PX', key_lifetime_ms)
if client_msg_id_window_ms ~= '' then redis.call('SET', client_msg_id_key, msg_id, 'PX', client_msg_id_window_ms) end
if #expired > 0 then
  redis.call('ZREM', messages_key, unpack(expired))
  redis.call('HDEL', bodies_key, unpack(expired))
end
if trims_hidden then
  redis.call('ZREMRANGEBYSCORE', sender_hidden_key, '-inf', retention_floor)
  redis.call('ZREMRANGEBYSCORE', recipient_hidden_key, '-inf', retention_floor)
end
if housekeeping then
  redis.call('PEXPIRE', messages_key, key_lifetime_ms)
  redis.call('PEXPIRE', bodies_key, key_lifetime_ms)
end
return answer(status.ok, msg_id, position, false)
