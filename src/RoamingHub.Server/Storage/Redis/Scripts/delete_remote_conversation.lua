-- Removes a conversation from a user's list and pins with everything kept for it, and appends the event, atomically.
-- Keys: the sixteen of lib/user_keys.lua, under the user's tag {u:user}; unread is this conversation's set.
-- Guarantees: refuses a conversation the user does not have, without writing.
-- Returns {not_found} or {ok, {seq, epoch}}.
--!include lib/status.lua
--!include lib/user_keys.lua
--!include lib/conversation_list.lua
--!include lib/event_log.lua
local member = ARGV[1]
local log_bounds = ARGV[2]  -- length:oldest:now, see lib/event_log.lua
local event_blob = ARGV[3]

if not redis.call('ZSCORE', convs, member) then return {status.not_found} end
forget(member)
redis.call('DEL', unread)
return {status.ok, append_event(event_blob, log_bounds)}
