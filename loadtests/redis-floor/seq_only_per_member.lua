-- all_members.lua's seq_only for one member, as Redis Cluster needs it: each member's keys hash to their own slot, so
-- a group message is (at least) one call per member. Inputs: KEYS seq, seq_list (the member's); ARGV stream_length,
-- conversation, timestamp_ms, msg_id. Returns the new seq.
local seq_key, seq_list = KEYS[1], KEYS[2]
local stream_length = tonumber(ARGV[1])
local conversation = ARGV[2]
local timestamp_ms = ARGV[3]
local msg_id = ARGV[4]
local seq = redis.call('INCR', seq_key)
redis.call('RPUSH', seq_list, seq .. '|' .. timestamp_ms .. '|M|' .. conversation .. '|' .. msg_id)
if seq % 47 == 0 then redis.call('LTRIM', seq_list, -stream_length, -1) end
return seq
