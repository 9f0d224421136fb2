-- Marks a conversation unread and appends the event, atomically.
-- Keys: the eighteen of lib/user_keys.lua, under the user's tag {u:user}.
-- Guarantees: refuses a conversation the user does not have; one marked unread already writes nothing and appends
-- no event. The mark leaves the unread count alone: GetUnreadSummary counts such a conversation as one with unread
-- (get_unread_summary.lua), and mark_conversation_read.lua and mark_all_conversations_read.lua clear it.
-- When it writes, it keeps the user's keys alive (lib/user_lifetime.lua). With a clientOpId its reply is the
-- operation's outcome, stored in the same step; a repeat gets that reply and changes nothing (lib/operation.lua).
-- Returns {not_found}, {unchanged} or {ok, {seq, epoch}, the event as logged}.
--!include lib/status.lua
--!include lib/user_keys.lua
--!include lib/conversation_settings.lua
--!include lib/event_log.lua
--!include lib/operation.lua
local member = ARGV[1]
local bounds = bounds_arg(ARGV[2], 'bounds')  -- length:oldest:now:lifetime, see lib/user_lifetime.lua
local event_blob = ARGV[3]
local operation_window_ms = window_arg(ARGV[4], 'operation_window_ms') -- '' without a clientOpId

local stored = stored_reply(operation_window_ms)
if stored then return stored end
if not redis.call('ZSCORE', convs, member) then return answer({status.not_found}, operation_window_ms) end
local current = parse_settings(redis.call('HGET', settings, member))
if current.unread then return answer({status.unchanged}, operation_window_ms) end
check_stream()  -- before the first write (lib/check.lua)
current.unread = true
write_settings(member, current, bounds)
local entry = append_event(event_blob, bounds)
keep_alive(bounds)
return answer({status.ok, entry, event_blob}, operation_window_ms)
