-- Deletes a group and its history.
-- Keys: the group's, under its tag {g:group}. The members' hidden-id sets and the clientMsgId keys are not among them:
-- they expire by themselves.
-- Returns {not_found}, or {ok, the members it had...}.
--!include lib/status.lua
local info_key = KEYS[1]
local members_key = KEYS[2]
local messages_key = KEYS[3]
local bodies_key = KEYS[4]
local clock_key = KEYS[5]
local watermarks_key = KEYS[6]

if redis.call('EXISTS', info_key) == 0 then return {status.not_found} end
local result = {status.ok}
for _, member in ipairs(redis.call('SMEMBERS', members_key)) do result[#result + 1] = member end
redis.call('DEL', info_key, members_key, messages_key, bodies_key, clock_key, watermarks_key)
return result
