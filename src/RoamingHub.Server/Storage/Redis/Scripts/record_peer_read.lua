-- Records, on the other participant's side of a single chat, the time up to which the reader read.
-- Keys: the fourteen of lib/user_keys.lua, under the other participant's tag {u:peer}.
-- Guarantees: the time only moves forward, and only in a conversation the peer has.
-- Returns {ok} when it moved, {unchanged} when it did not, {not_found} when the peer does not have the conversation.
--!include lib/status.lua
--!include lib/user_keys.lua
local member = ARGV[1]    -- the reader, as a member of the peer's list
local read_time_ms = ARGV[2]

if not redis.call('ZSCORE', convs, member) then return {status.not_found} end
if tonumber(read_time_ms) <= tonumber(redis.call('HGET', peer_reads, member) or '0') then return {status.unchanged} end
redis.call('HSET', peer_reads, member, read_time_ms)
return {status.ok}
