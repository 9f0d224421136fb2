-- The user's side of leaving a group: the group leaves their membership mirror and their list, with everything kept
-- for it, and the event is appended.
-- Keys: the eighteen of lib/user_keys.lua, under the user's tag {u:user}; unread is the group conversation's set.
-- Guarantees: safe to repeat; a user who had neither the membership nor the conversation gets no event.
-- When it writes, it keeps the user's keys alive (lib/user_lifetime.lua).
-- Returns {unchanged} or {ok, {seq, epoch}}.
--!include lib/status.lua
--!include lib/user_keys.lua
--!include lib/conversation_list.lua
--!include lib/event_log.lua
local group_id = ARGV[1]
local member = ARGV[2]    -- the group, as a member of the user's list
local bounds = bounds_arg(ARGV[3], 'bounds')  -- length:oldest:now:lifetime, see lib/user_lifetime.lua
local event_blob = ARGV[4]

local was_member = redis.call('SISMEMBER', groups, group_id) == 1
local had_conversation = redis.call('ZSCORE', convs, member)
if not was_member and not had_conversation then
  redis.call('DEL', unread)
  return {status.unchanged}
end
-- Everything that can fail is checked before the first write (lib/check.lua).
if had_conversation then check_forget({member}) end
check_stream()

redis.call('SREM', groups, group_id)
if had_conversation then forget(member) end
redis.call('DEL', unread)
local entry = append_event(event_blob, bounds)
keep_alive(bounds)
return {status.ok, entry}
