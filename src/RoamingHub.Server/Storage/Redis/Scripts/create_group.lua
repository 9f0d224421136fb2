-- Creates a group with its members, the owner among them.
-- Keys: the group's, under its tag {g:group}.
-- Guarantees: writes only when it creates. A repeat of the same create (same owner, same members) answers
-- unchanged with the creation time, so the caller can finish the members' step a failed first attempt left undone;
-- an existing group that differs is already_exists. An id whose deletion still has former members to tell is
-- deleting, and nothing is created until they are told, so a new group of the id never meets the old one's members.
-- Returns {ok}, {unchanged, created_ms}, {already_exists}, {deleting} or {too_many_members}.
--!include lib/status.lua
--!include lib/tail.lua
--!include lib/check.lua
local info_key = KEYS[1]
local members_key = KEYS[2]
local deletion_key = KEYS[3]    -- the former members of a deleted group of this id still to be told
local owner = ARGV[1]
local created_ms = decimal_arg(ARGV[2], 'created_ms')
local max_members = number_arg(ARGV[3], 'max_members')
local members = tail(ARGV, 4)   -- distinct, the owner among them

local function is_this_group()
  if redis.call('HGET', info_key, 'owner') ~= owner or redis.call('SCARD', members_key) ~= #members then return false end
  for _, member in ipairs(members) do
    if redis.call('SISMEMBER', members_key, member) == 0 then return false end
  end
  return true
end

if redis.call('EXISTS', info_key) == 1 then
  if is_this_group() then return {status.unchanged, redis.call('HGET', info_key, 'created')} end
  return {status.already_exists}
end
if redis.call('EXISTS', deletion_key) == 1 then return {status.deleting} end
if #members > max_members then return {status.too_many_members} end
expect_type(members_key, 'set', 'members')  -- before the first write (lib/check.lua): info is new, members may not be
redis.call('HSET', info_key, 'owner', owner, 'created', created_ms)
for _, member in ipairs(members) do redis.call('SADD', members_key, member) end
return {status.ok}
