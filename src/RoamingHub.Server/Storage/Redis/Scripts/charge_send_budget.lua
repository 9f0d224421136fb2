-- Takes a send's cost from one token bucket of the send limit, or gives it back.
-- Keys: bucket, the bucket (HASH milli: tokens × 1000, at: Unix ms it was last used): a user's ({u:user}) or a
-- group's ({g:id}); members, only with a group's bucket, the group's member set, under the same tag.
-- Arguments: mode ('take' or 'refund'), cost (recipients; '' for the group's member count), per_second and burst (the
-- bucket's refill rate and size, in recipients), now_ms (the caller's clock), sender (with members).
-- Guarantees: the bucket refills from the time since it was last used (never back in time) up to its burst; a take
-- goes through when the bucket holds the cost, or its whole burst for a cost larger than the burst, and takes the
-- cost; a refused take, or a sender who is not a member, changes nothing. A refund gives a cost back, up to the
-- burst. The bucket expires once it would be full again, as a missing one is. Checks everything before its writes.
-- Returns {not_a_member}, or {ok, 1 when taken or refunded else 0, the cost}.
--!include lib/status.lua
--!include lib/check.lua
local bucket = KEYS[1]
local members = KEYS[2]
local refund = ARGV[1] == 'refund'
local per_second = number_arg(ARGV[3], 'per_second')
local burst = number_arg(ARGV[4], 'burst')
local now_ms = number_arg(ARGV[5], 'now_ms')
local cost_arg = ARGV[2]
local sender = ARGV[6]

local cost
if cost_arg == '' then
  if redis.call('SISMEMBER', members, sender) == 0 then return {status.not_a_member} end
  cost = redis.call('SCARD', members)
else
  cost = number_arg(cost_arg, 'cost')
end

local state = redis.call('HMGET', bucket, 'milli', 'at')
local full = burst * 1000
local milli = stored_number(state[1], 'send budget milli') or full
local at = stored_number(state[2], 'send budget at') or now_ms
if now_ms > at then
  milli = math.min(full, milli + (now_ms - at) * per_second)
  at = now_ms
end

local done = true
if refund then
  milli = math.min(full, milli + cost * 1000)
elseif milli >= math.min(cost, burst) * 1000 then
  milli = milli - cost * 1000
else
  done = false
end

if done then
  redis.call('HSET', bucket, 'milli', string.format('%.0f', milli), 'at', string.format('%.0f', at))
  redis.call('PEXPIRE', bucket, math.ceil((full - milli) / per_second) + 1000)
end
return {status.ok, done and 1 or 0, cost}
