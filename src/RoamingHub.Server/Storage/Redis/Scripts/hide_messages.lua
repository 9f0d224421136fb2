-- Hides messages from one user: the chat side of a one-way deletion.
-- Keys: the chat's, under its tag {s:a|b} or {g:group}.
-- Guarantees: a group refuses a user who is not a member. Mode 'before' raises the user's watermark to a position,
-- but no further than the chat's clock (the newest position given), so a node whose clock is ahead cannot hide
-- messages stored after the call; 'all' raises it to the newest message; the watermark never moves backwards; mode 'ids' adds ids to the user's hidden set,
-- ignoring unknown, already hidden, below-watermark and expired ids, and drops the ids of the set that retention made
-- pointless, so a user who hides but never sends (whose set store_message.lua never trims) keeps it bounded too.
-- It also names the ids of the request that were hidden before, so a retry of a deletion whose user step never ran
-- can still apply them (apply_hidden_messages.lua).
-- It answers the newest message the user can still see with its msgId, which the user step checks against the recalls
-- that reached the user (apply_hidden_messages.lua). Mode 'ids' with no ids hides nothing and writes nothing: it only
-- answers that message again, for a user step that answered stale.
-- Returns {not_a_member}, or {ok, watermark, moved (0/1), newest visible position or false, its blob or false, its
-- msgId or false, n, n hidden ids, their n positions, m, m ids of the request hidden before, their m positions}.
--!include lib/status.lua
--!include lib/tail.lua
--!include lib/walk.lua
--!include lib/check.lua
local messages_key = KEYS[1]
local bodies_key = KEYS[2]
local watermarks_key = KEYS[3]
local hidden_key = KEYS[4]      -- the user's hidden ids
local clock_key = KEYS[5]
local members_key = KEYS[6]
local user = ARGV[1]
local mode = ARGV[2]            -- 'before', 'all' or 'ids'
local watermark = number_arg(ARGV[3], 'watermark')
local retention_floor = decimal_arg(ARGV[4], 'retention_floor') -- position
local key_lifetime_ms = decimal_arg(ARGV[5], 'key_lifetime_ms')
local scan_cap = number_arg(ARGV[6], 'scan_cap')
local is_group = ARGV[7] == '1'
local msg_ids = tail(ARGV, 8)   -- mode 'ids' only

if is_group and redis.call('SISMEMBER', members_key, user) == 0 then return {status.not_a_member} end
-- Everything that can fail is read and checked before the first write (lib/check.lua): the keys written or read
-- after it are typed.
local mark = stored_number(redis.call('HGET', watermarks_key, user), 'watermark') or 0
local clock = mode ~= 'ids' and (stored_number(redis.call('GET', clock_key), 'clock') or 0)
expect_type(messages_key, 'zset', 'msgs')
expect_type(hidden_key, 'zset', 'hidden')
expect_type(bodies_key, 'hash', 'bodies')
local retention = tonumber(retention_floor)
local moved = 0
local ids, positions = {}, {}
local earlier_ids, earlier_positions = {}, {}
if mode == 'ids' then
  for _, id in ipairs(msg_ids) do
    local position = redis.call('ZSCORE', messages_key, id)
    if position and tonumber(position) > mark and tonumber(position) > retention then
      if redis.call('ZADD', hidden_key, 'NX', position, id) == 1 then
        ids[#ids + 1] = id
        positions[#positions + 1] = position
      else
        earlier_ids[#earlier_ids + 1] = id
        earlier_positions[#earlier_positions + 1] = position
      end
    end
  end
  if #ids > 0 then
    redis.call('ZREMRANGEBYSCORE', hidden_key, '-inf', retention_floor)
    redis.call('PEXPIRE', hidden_key, key_lifetime_ms)
  end
else
  local target = mode == 'all' and clock or math.min(watermark, clock)
  if target > mark then
    mark = target
    moved = 1
    redis.call('HSET', watermarks_key, user, string.format('%.0f', mark))
    redis.call('PEXPIRE', watermarks_key, key_lifetime_ms)
    redis.call('ZREMRANGEBYSCORE', hidden_key, '-inf', string.format('%.0f', mark))
  end
end
local floor = floor_of(watermarks_key, user, retention_floor)
local found = walk(messages_key, hidden_key, true, '+inf', floor, 1, scan_cap)
local result = {status.ok, string.format('%.0f', mark), moved, false, false, false, #ids}
if #found > 0 then
  result[4] = found[2]
  result[5] = redis.call('HGET', bodies_key, found[1])
  result[6] = found[1]
end
for _, id in ipairs(ids) do result[#result + 1] = id end
for _, position in ipairs(positions) do result[#result + 1] = position end
result[#result + 1] = #earlier_ids
for _, id in ipairs(earlier_ids) do result[#result + 1] = id end
for _, position in ipairs(earlier_positions) do result[#result + 1] = position end
return result
