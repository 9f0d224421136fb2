-- Releases a claim that has no outcome yet, so a retry runs the operation again, as a resumption.
-- Keys: the operation's, under the user's tag {u:user}.
-- Guarantees: never touches a stored outcome; the released claim keeps its expiry, so the retry still learns that an
-- earlier attempt may have done part of the operation (begin_operation.lua).
-- Returns {ok} when it released a claim, else {unchanged}.
--!include lib/status.lua
local operation_key = KEYS[1]

local kind = string.sub(redis.call('GET', operation_key) or '', 1, 1)
if kind ~= 'P' and kind ~= 'Q' then return {status.unchanged} end
redis.call('SET', operation_key, 'Q0', 'KEEPTTL')
return {status.ok}
