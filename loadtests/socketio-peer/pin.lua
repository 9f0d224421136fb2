-- Pins or unpins a conversation and appends the change to the user's event log, atomically: the Socket.IO peer's
-- counterpart of RoamingHub's pin_conversation.lua, with the same three writes (the pin, the user's seq, a trimmed
-- log entry) and none of its other checks (docs/benchmarks.md lists what each server does per pin).
-- Keys: all three under the user's hash tag {PREFIX:u:USER}, so Redis Cluster would keep them in one slot.
-- Guarantees: a call that changes nothing writes nothing and appends no entry; otherwise the pin, the seq and the
-- entry are written together, and the log keeps only the newest max_events entries.
-- Returns the new seq, or 0 when nothing changed.
local pins = KEYS[1]                 -- zset: conversation id -> pin time (Unix ms)
local seq_key = KEYS[2]              -- string: the user's newest seq
local events = KEYS[3]               -- zset: 'seq|time|event' scored by seq
local member = ARGV[1]               -- the conversation id
local pin = ARGV[2] == '1'
local now_ms = ARGV[3]
local max_events = tonumber(ARGV[4]) -- entries the log keeps
local event_json = ARGV[5]           -- the event as sent, without its seq

local current = redis.call('ZSCORE', pins, member)
if pin then
  if current then return 0 end
  redis.call('ZADD', pins, now_ms, member)
else
  if not current then return 0 end
  redis.call('ZREM', pins, member)
end
local seq = redis.call('INCR', seq_key)
redis.call('ZADD', events, seq, seq .. '|' .. now_ms .. '|' .. event_json)
redis.call('ZREMRANGEBYRANK', events, 0, -(max_events + 1))
return seq
