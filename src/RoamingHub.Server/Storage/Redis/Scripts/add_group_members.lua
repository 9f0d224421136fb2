-- Adds members to a group.
-- Keys: the group's, under its tag {g:group}.
-- Guarantees: refuses an unknown group, and refuses without writing when the new members would pass the limit.
-- Returns {not_found}, {too_many_members}, or {ok, users newly added...}.
--!include lib/status.lua
--!include lib/tail.lua
--!include lib/check.lua
local info_key = KEYS[1]
local members_key = KEYS[2]
local max_members = number_arg(ARGV[1], 'max_members')
local users = tail(ARGV, 2)

if redis.call('EXISTS', info_key) == 0 then return {status.not_found} end
local added = {}
for _, user in ipairs(users) do
  if redis.call('SISMEMBER', members_key, user) == 0 then added[#added + 1] = user end
end
if redis.call('SCARD', members_key) + #added > max_members then return {status.too_many_members} end
local result = {status.ok}
for _, user in ipairs(added) do
  redis.call('SADD', members_key, user)
  result[#result + 1] = user
end
return result
