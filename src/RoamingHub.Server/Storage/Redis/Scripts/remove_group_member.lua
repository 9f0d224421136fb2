-- Removes a member from a group: they can no longer send to or read it, and their one-way deletions there go.
-- Keys: the group's, under its tag {g:group}.
-- Guarantees: refuses an unknown group, the owner and a user who is not a member, without writing.
-- Returns {not_found}, {owner_cannot_leave}, {not_in_group} or {ok}.
--!include lib/status.lua
--!include lib/check.lua
local info_key = KEYS[1]
local members_key = KEYS[2]
local watermarks_key = KEYS[3]
local hidden_key = KEYS[4]      -- the user's hidden ids
local user = ARGV[1]

if redis.call('EXISTS', info_key) == 0 then return {status.not_found} end
if redis.call('HGET', info_key, 'owner') == user then return {status.owner_cannot_leave} end
expect_type(watermarks_key, 'hash', 'wm')  -- before the first write (lib/check.lua), which tells a member
if redis.call('SREM', members_key, user) == 0 then return {status.not_in_group} end
redis.call('HDEL', watermarks_key, user)
redis.call('DEL', hidden_key)
return {status.ok}
