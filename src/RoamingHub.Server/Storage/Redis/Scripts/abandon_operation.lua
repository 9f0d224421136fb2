-- Releases a claim that has no outcome yet, so a retry runs the operation again.
-- Keys: the operation's, under the user's tag {u:user}.
-- Guarantees: never deletes a stored outcome.
-- Returns {ok} when it released a claim, else {unchanged}.
--!include lib/status.lua
local operation_key = KEYS[1]

if redis.call('GET', operation_key) ~= 'P' then return {status.unchanged} end
redis.call('DEL', operation_key)
return {status.ok}
