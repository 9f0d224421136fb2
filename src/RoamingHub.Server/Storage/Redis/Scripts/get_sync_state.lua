-- Reads where the user's stream stands: its newest seq and its epoch.
-- Keys: the sixteen of lib/user_keys.lua, under the user's tag {u:user}.
-- Guarantees: applies the epoch rule of lib/event_log.lua, so a device that starts from this state after a restart
-- from an old snapshot starts in the new epoch.
-- Returns {ok, last seq, epoch}.
--!include lib/status.lua
--!include lib/user_keys.lua
--!include lib/event_log.lua

local epoch = stream_epoch()
return {status.ok, tonumber(redis.call('GET', seq_key) or '0'), epoch}
