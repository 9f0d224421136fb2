-- Counts a connection against its user's limit and answers where the user's stream stands, or only checks that there
-- is room for one.
-- Keys: the eighteen of lib/user_keys.lua, under the user's tag {u:user}; extra is the user's connections set.
-- Guarantees: records that no longer count are forgotten first (lib/presence.lua), so a dead node's connections and
-- records their node does not hold never refuse anyone; a record already counted is admitted again; the key's
-- lifetime is renewed. An admission reads the stream's newest seq and epoch in the same step (the epoch rule of
-- lib/event_log.lua applied, the user's keys kept alive as by get_sync_state.lua), so the connection can start from
-- the position it had when it was admitted without another call; a refusal, or a check for room, reads nothing more.
-- Returns {ok, last seq, epoch} when admitted, {ok} when there is room, {connection_limit} at the limit.
--!include lib/status.lua
--!include lib/tail.lua
--!include lib/presence.lua
--!include lib/event_log.lua
local record = ARGV[1]                  -- node_id:record_id; '' to only check for room
local now_ms = decimal_arg(ARGV[2], 'now_ms')
local fresh_after_ms = number_arg(ARGV[3], 'fresh_after_ms')
local max_connections = number_arg(ARGV[4], 'max_connections')
local key_lifetime_ms = decimal_arg(ARGV[5], 'key_lifetime_ms')
local bounds = bounds_arg(ARGV[6], 'bounds')  -- length:oldest:now:lifetime, see lib/user_lifetime.lua
local live_nodes = tail(ARGV, 7)        -- pairs node_id, rewritten_since_ms
local connections_key = extra           -- ZSET node_id:record_id -> when its node last wrote it

for i = 2, #live_nodes, 2 do number_arg(live_nodes[i], 'rewritten_since_ms') end

-- The stream's hash and seq are read and checked before the first write (lib/check.lua): forgetting a record is one.
if record ~= '' then
  check_keep_alive()
  stream_seq()
  epoch_state()
end

local counted = count_live_connections(connections_key, live_nodes, fresh_after_ms)
local known = record ~= '' and redis.call('ZSCORE', connections_key, record)
if not known and counted >= max_connections then return {status.connection_limit} end
if record == '' then return {status.ok} end

redis.call('ZADD', connections_key, now_ms, record)
redis.call('PEXPIRE', connections_key, key_lifetime_ms)
local epoch = stream_epoch()
keep_alive(bounds)
return {status.ok, tonumber(stream_seq() or '0'), epoch}
