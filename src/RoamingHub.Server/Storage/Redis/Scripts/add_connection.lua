-- Counts a connection against its user's limit, or only checks that there is room for one.
-- Keys: the user's, under their tag {u:user}.
-- Guarantees: records that no longer count are forgotten first (lib/presence.lua), so a dead node's connections and
-- records their node does not hold never refuse anyone; a record already counted is admitted again; the key's
-- lifetime is renewed.
-- Returns {ok} when admitted (or when there is room), {connection_limit} at the limit.
--!include lib/status.lua
--!include lib/tail.lua
--!include lib/presence.lua
local connections_key = KEYS[1]
local record = ARGV[1]                  -- node_id:record_id; '' to only check for room
local now_ms = ARGV[2]
local fresh_after_ms = tonumber(ARGV[3])
local max_connections = tonumber(ARGV[4])
local key_lifetime_ms = ARGV[5]
local live_nodes = tail(ARGV, 6)        -- pairs node_id, rewritten_since_ms

local counted = count_live_connections(connections_key, live_nodes, fresh_after_ms)
local known = record ~= '' and redis.call('ZSCORE', connections_key, record)
if not known and counted >= max_connections then return {status.connection_limit} end
if record ~= '' then
  redis.call('ZADD', connections_key, now_ms, record)
  redis.call('PEXPIRE', connections_key, key_lifetime_ms)
end
return {status.ok}
