-- Sets or clears the user's extension field of a conversation and appends the event.
-- Keys: the sixteen of lib/user_keys.lua, under the user's tag {u:user}.
-- Guarantees: refuses a conversation the user does not have; an unchanged value writes nothing and appends no event.
-- When it writes, it keeps the user's keys alive (lib/user_lifetime.lua).
-- Returns {not_found}, {unchanged} or {ok, {seq, epoch}}.
--!include lib/status.lua
--!include lib/user_keys.lua
--!include lib/event_log.lua
local member = ARGV[1]
local ext = ARGV[2]       -- '' clears it
local bounds = ARGV[3]  -- length:oldest:now:lifetime, see lib/user_lifetime.lua
local event_blob = ARGV[4]

if not redis.call('ZSCORE', convs, member) then return {status.not_found} end
if (redis.call('HGET', exts, member) or '') == ext then return {status.unchanged} end
if ext == '' then
  redis.call('HDEL', exts, member)
elseif redis.call('HSET', exts, member, ext) == 1 then
  may_have_created(exts)
end
local entry = append_event(event_blob, bounds)
keep_alive(bounds)
return {status.ok, entry}
