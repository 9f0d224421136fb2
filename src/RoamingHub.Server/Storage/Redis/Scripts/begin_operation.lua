-- Claims an idempotent operation for its lease.
-- Keys: the operation's, under the user's tag {u:user}.
-- Guarantees: one caller claims it; the others see it running (P) or get its outcome.
-- Returns {ok} when this caller claimed it, {in_progress} while another caller runs it, or {completed, outcome}.
--!include lib/status.lua
local operation_key = KEYS[1]
local lease_ms = ARGV[1]

local current = redis.call('GET', operation_key)
if current == 'P' then return {status.in_progress} end
if current then return {status.completed, current} end
redis.call('SET', operation_key, 'P', 'PX', lease_ms)
return {status.ok}
