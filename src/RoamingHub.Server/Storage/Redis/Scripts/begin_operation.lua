-- Claims an idempotent operation for its lease.
-- Keys: the operation's, under the user's tag {u:user}.
-- Guarantees: one caller at a time holds the claim; the others see it running or get its outcome. A claim whose lease
-- ended without an outcome (its caller failed, released it, or died) is claimed again as a resumption ('Q'), so the
-- final script of a multi-step call knows an earlier attempt may have done the first steps (lib/operation.lua). The
-- key lives for the window from the latest claim; leases are measured on Redis' clock.
-- Returns {ok} when this caller claimed it, {in_progress} while another caller holds it, or {completed, outcome}
-- (an 'S' outcome is a final script's reply, which the call's own steps answer again).
--!include lib/status.lua
--!include lib/check.lua
local operation_key = KEYS[1]
local lease_ms = number_arg(ARGV[1], 'lease_ms')
local window_ms = decimal_arg(ARGV[2], 'window_ms')

local time = redis.call('TIME')
local now_ms = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local current = redis.call('GET', operation_key)
local kind = current and string.sub(current, 1, 1)
if kind == 'P' or kind == 'Q' then
  if (tonumber(string.sub(current, 2)) or 0) > now_ms then return {status.in_progress} end
elseif current then
  return {status.completed, current}
end
redis.call('SET', operation_key, (current and 'Q' or 'P') .. string.format('%.0f', now_ms + lease_ms), 'PX', window_ms)
return {status.ok}
