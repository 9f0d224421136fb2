-- One conversation of a user's list, as a page of the list shows it.
-- Keys: the eighteen of lib/user_keys.lua, under the user's tag {u:user}.
-- Guarantees: the entry is read as fetch_conversations.lua reads one (lib/conversation_entries.lua), in one round
-- trip. A user's own read keeps their keys alive (lib/user_lifetime.lua) and creates none for an unused id.
-- Returns {not_found} or {ok, then the fields of lib/conversation_entries.lua}.
--!include lib/status.lua
--!include lib/user_keys.lua
--!include lib/conversation_entries.lua
--!include lib/user_lifetime.lua
local member = ARGV[1]
local retention_floor = number_arg(ARGV[2], 'retention_floor')
local bounds = bounds_arg(ARGV[3], 'bounds')  -- length:oldest:now:lifetime, see lib/user_lifetime.lua

local activity = redis.call('ZSCORE', convs, member)
if not activity then return {status.not_found} end
local pinned = redis.call('ZSCORE', pins, member)
check_keep_alive()
local result = append_entries({status.ok}, {member}, {activity}, {pinned}, retention_floor)
keep_alive(bounds)
return result
