-- Creates a group with its members, the owner among them.
-- Keys: the group's, under its tag {g:group}.
-- Guarantees: refuses an existing group and more members than the limit, without writing.
-- Returns {already_exists}, {too_many_members} or {ok}.
--!include lib/status.lua
--!include lib/tail.lua
local info_key = KEYS[1]
local members_key = KEYS[2]
local owner = ARGV[1]
local created_ms = ARGV[2]
local max_members = tonumber(ARGV[3])
local members = tail(ARGV, 4)

if redis.call('EXISTS', info_key) == 1 then return {status.already_exists} end
if #members > max_members then return {status.too_many_members} end
redis.call('HSET', info_key, 'owner', owner, 'created', created_ms)
for _, member in ipairs(members) do redis.call('SADD', members_key, member) end
return {status.ok}
