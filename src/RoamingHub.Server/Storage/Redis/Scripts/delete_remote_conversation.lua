-- Removes a conversation from a user's list and pins with everything kept for it, and appends the event, atomically.
-- Keys: the sixteen of lib/user_keys.lua, under the user's tag {u:user}; unread is this conversation's set.
-- Guarantees: refuses a conversation the user does not have, without writing.
-- When it writes, it keeps the user's keys alive (lib/user_lifetime.lua).
-- Returns {not_found} or {ok, {seq, epoch}}.
--!include lib/status.lua
--!include lib/user_keys.lua
--!include lib/conversation_list.lua
--!include lib/event_log.lua
local member = ARGV[1]
local bounds = ARGV[2]  -- length:oldest:now:lifetime, see lib/user_lifetime.lua
local event_blob = ARGV[3]

if not redis.call('ZSCORE', convs, member) then return {status.not_found} end
forget(member)
redis.call('DEL', unread)
local entry = append_event(event_blob, bounds)
keep_alive(bounds)
return {status.ok, entry}
