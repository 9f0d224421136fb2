-- Deletes a group and its history, leaving a tombstone of the members still to be told.
-- Keys: the group's, under its tag {g:group}. The members' hidden-id sets and the clientMsgId keys are not among them:
-- they expire by themselves.
-- Guarantees: the group is gone for every message, history read and membership check from this step on. Its
-- members go into the tombstone, which the caller empties one member at a time as each is told (their list
-- cleaned, REMOVED_FROM_GROUP appended), so a repeat after a failure between the steps answers the members not yet
-- told; the tombstone expires after the given lifetime if it is never finished. History goes with UNLINK, so a
-- large one is freed in the background instead of blocking Redis.
-- Returns {not_found} when there is neither a group nor a tombstone, else {ok, members still to be told...}.
--!include lib/status.lua
--!include lib/check.lua
local info_key = KEYS[1]
local members_key = KEYS[2]
local messages_key = KEYS[3]
local bodies_key = KEYS[4]
local clock_key = KEYS[5]
local watermarks_key = KEYS[6]
local deletion_key = KEYS[7]    -- the tombstone: SET of the members still to be told
local recalled_key = KEYS[8]    -- the recalled ids: a re-created group must not answer them as recalled
local tombstone_lifetime_ms = decimal_arg(ARGV[1], 'tombstone_lifetime_ms')

if redis.call('EXISTS', info_key) == 1 then
  local members = redis.call('SMEMBERS', members_key)
  expect_type(deletion_key, 'set', 'deleting')  -- before the first write (lib/check.lua)
  for _, member in ipairs(members) do redis.call('SADD', deletion_key, member) end
  if #members > 0 then redis.call('PEXPIRE', deletion_key, tombstone_lifetime_ms) end
  redis.call('UNLINK', info_key, members_key, messages_key, bodies_key, clock_key, watermarks_key, recalled_key)
elseif redis.call('EXISTS', deletion_key) == 0 then
  return {status.not_found}
end
local result = {status.ok}
for _, member in ipairs(redis.call('SMEMBERS', deletion_key)) do result[#result + 1] = member end
return result
