-- The least a pin (or an unpin) writes, with its push to the other nodes when a channel is given: the conversation
-- in the user's pins, the user's seq, the change as an entry of the user's stream (a bare list, the cheapest
-- structure, trimmed now and then) and, from inside the same call, one PUBLISH of the delivery message. The pin and
-- the unpin are the Socket.IO peer's (loadtests/socketio-peer/pin.lua), which keeps its log in a sorted set instead.
-- Inputs: KEYS pins, seq, seq_list (the user's); ARGV conversation, pin ('1' pins, '0' unpins), timestamp_ms,
-- stream_length, channel ('' publishes nothing: the caller publishes on its own), delivery_message.
-- Returns the new seq, or 0 for a call that changes nothing (the caller sends none).
local pins, seq_key, seq_list = KEYS[1], KEYS[2], KEYS[3]
local conversation = ARGV[1]
local pin = ARGV[2] == '1'
local timestamp_ms = ARGV[3]
local stream_length = tonumber(ARGV[4])
local channel = ARGV[5]
local delivery_message = ARGV[6]
local current = redis.call('ZSCORE', pins, conversation)
if pin then
  if current then return 0 end
  redis.call('ZADD', pins, timestamp_ms, conversation)
else
  if not current then return 0 end
  redis.call('ZREM', pins, conversation)
end
local seq = redis.call('INCR', seq_key)
redis.call('RPUSH', seq_list, seq .. '|' .. timestamp_ms .. '|P|' .. conversation)
if seq % 47 == 0 then redis.call('LTRIM', seq_list, -stream_length, -1) end
if channel ~= '' then redis.call('PUBLISH', channel, delivery_message) end
return seq
