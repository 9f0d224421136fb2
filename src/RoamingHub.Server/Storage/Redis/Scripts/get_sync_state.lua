-- Reads where the user's stream stands: its newest seq and its epoch.
-- Keys: the eighteen of lib/user_keys.lua, under the user's tag {u:user}.
-- Guarantees: applies the epoch rule of lib/event_log.lua, so a device that starts from this state after a restart
-- from an old snapshot starts in the new epoch. A user's own read keeps their keys alive (lib/user_lifetime.lua); the
-- stream an unused id gets here expires with the user lifetime.
-- Returns {ok, last seq, epoch}.
--!include lib/status.lua
--!include lib/user_keys.lua
--!include lib/event_log.lua
local bounds = bounds_arg(ARGV[1], 'bounds')  -- length:oldest:now:lifetime, see lib/user_lifetime.lua

-- The seq and the stream hash are read and checked before the first write (lib/check.lua).
check_keep_alive()
local seq = stream_seq()
local epoch = stream_epoch()
keep_alive(bounds)
return {status.ok, tonumber(seq or '0'), epoch}
