-- Sets or clears the user's extension field of a conversation and appends the event.
-- Keys: the eighteen of lib/user_keys.lua, under the user's tag {u:user}.
-- Guarantees: refuses a conversation the user does not have; an unchanged value writes nothing and appends no event.
-- When it writes, it keeps the user's keys alive (lib/user_lifetime.lua). With a clientOpId its reply is the
-- operation's outcome, stored in the same step; a repeat gets that reply and changes nothing (lib/operation.lua).
-- Returns {not_found}, {unchanged} or {ok, {seq, epoch}, the event as logged}.
--!include lib/status.lua
--!include lib/user_keys.lua
--!include lib/event_log.lua
--!include lib/operation.lua
local member = ARGV[1]
local ext = ARGV[2]       -- '' clears it
local bounds = bounds_arg(ARGV[3], 'bounds')  -- length:oldest:now:lifetime, see lib/user_lifetime.lua
local event_blob = ARGV[4]
local operation_window_ms = window_arg(ARGV[5], 'operation_window_ms') -- '' without a clientOpId

local stored = stored_reply(operation_window_ms)
if stored then return stored end
if not redis.call('ZSCORE', convs, member) then return answer({status.not_found}, operation_window_ms) end
if (redis.call('HGET', exts, member) or '') == ext then return answer({status.unchanged}, operation_window_ms) end
check_stream()  -- before the first write (lib/check.lua)
if ext == '' then
  redis.call('HDEL', exts, member)
elseif redis.call('HSET', exts, member, ext) == 1 then
  may_have_created(exts)
end
local entry = append_event(event_blob, bounds)
keep_alive(bounds)
return answer({status.ok, entry, event_blob}, operation_window_ms)
