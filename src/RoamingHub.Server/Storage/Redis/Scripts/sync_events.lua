-- Reads the user's stream after a seq.
-- Keys: the eighteen of lib/user_keys.lua, under the user's tag {u:user}.
-- Guarantees: never a silent gap. It applies the epoch rule of lib/event_log.lua first (so a restart from an old
-- snapshot shows as a new epoch even to a reader) and trims by age, then requires a resync when the device names
-- another epoch (except the one before the current, when since is at or below the seq the current one began after:
-- everything the device saw was in the data the new epoch started from, so nothing it saw was lost), when since is
-- ahead of the stream, or when the stream no longer holds seq since + 1 or holds it past retention (a trim by age
-- takes at most 100 entries a call). A user's own read keeps their keys alive
-- (lib/user_lifetime.lua).
-- Returns {resync_required, last seq, epoch}, or {ok, last seq, epoch, entries...} (each as lib/event_log.lua
-- writes it), at most limit entries.
--!include lib/status.lua
--!include lib/user_keys.lua
--!include lib/event_log.lua
local since = number_arg(ARGV[1], 'since')
local limit = number_arg(ARGV[2], 'limit')
local device_epoch = ARGV[3]  -- '' when the device names none
local bounds = bounds_arg(ARGV[4], 'bounds')  -- length:oldest:now:lifetime, see lib/user_lifetime.lua

-- Everything that can fail is read and checked before the first write (lib/check.lua).
check_stream()
local state = epoch_state()
local last_seq = tonumber(stream_seq() or '0')
local continues = device_epoch == '' or device_epoch == state.epoch
  or (device_epoch == state.prev and since <= stored_number(state.base or '', 'stream base'))

local epoch = stream_epoch()
local length, oldest = parse_bounds(bounds)
trim_stream(length, oldest)
keep_alive(bounds)
if not continues or since > last_seq then
  return {status.resync_required, last_seq, epoch}
end
if since == last_seq then return {status.ok, last_seq, epoch} end
local first = redis.call('ZRANGE', events, 0, 0, 'WITHSCORES')
if #first == 0 or tonumber(first[2]) > since + 1 then return {status.resync_required, last_seq, epoch} end
local entries = redis.call('ZRANGEBYSCORE', events, '(' .. since, '+inf', 'LIMIT', 0, limit)
-- trim_stream removes at most 100 aged entries a call; one it left for a later call is gone all the same, so a device
-- whose next entry is past retention resyncs rather than replaying it.
local next_time = entries[1] and tonumber(string.match(entries[1], '^%d+|(%d+)|'))
if next_time and next_time < oldest then return {status.resync_required, last_seq, epoch} end
local result = {status.ok, last_seq, epoch}
for _, entry in ipairs(entries) do
  result[#result + 1] = entry
end
return result
