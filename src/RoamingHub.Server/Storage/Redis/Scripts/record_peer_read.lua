-- Records, on the other participant's side of a single chat, the time up to which the reader read.
-- Keys: the eighteen of lib/user_keys.lua, under the other participant's tag {u:peer}.
-- Guarantees: the time only moves forward, and only in a conversation the peer has; when it moves, a PEER_READ
-- entry is appended to the peer's stream in the same step.
-- When it writes, it keeps the peer's keys alive (lib/user_lifetime.lua).
-- Returns {ok, {seq, epoch}} when it moved, {unchanged} when it did not, {not_found} when the peer does not have the conversation.
--!include lib/status.lua
--!include lib/user_keys.lua
--!include lib/event_log.lua
local member = ARGV[1]    -- the reader, as a member of the peer's list
local read_time_ms = decimal_arg(ARGV[2], 'read_time_ms')
local bounds = bounds_arg(ARGV[3], 'bounds')  -- length:oldest:now:lifetime, see lib/user_lifetime.lua
local event_blob = ARGV[4]  -- the PEER_READ event without its seq

if not redis.call('ZSCORE', convs, member) then return {status.not_found} end
local read_before = stored_number(redis.call('HGET', peer_reads, member), 'peer read time') or 0
if tonumber(read_time_ms) <= read_before then return {status.unchanged} end
check_stream(nil, bounds)  -- before the first write (lib/check.lua)
if redis.call('HSET', peer_reads, member, read_time_ms) == 1 then may_have_created(peer_reads) end
local entry = append_event(event_blob, bounds)
keep_alive(bounds)
return {status.ok, entry}
