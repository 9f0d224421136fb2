-- The least a single-chat message writes on its chat (run before message_participant.lua, as RoamingHub's
-- store_message.lua is): the chat's clock, the message in the chat's order, its body. Inputs: KEYS msgs, bodies,
-- clock (the chat's); ARGV msg_id, timestamp_ms, body. Returns the message's position.
local msgs, bodies, clock = KEYS[1], KEYS[2], KEYS[3]
local msg_id, timestamp_ms, body = ARGV[1], ARGV[2], ARGV[3]
local position = math.max(tonumber(timestamp_ms) * 1024, (tonumber(redis.call('GET', clock)) or 0) + 1)
redis.call('SET', clock, string.format('%.0f', position))
redis.call('ZADD', msgs, position, msg_id)
redis.call('HSET', bodies, msg_id, body)
return string.format('%.0f', position)
