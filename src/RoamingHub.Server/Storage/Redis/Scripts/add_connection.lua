-- Counts a connection against its user's limit, or only checks that there is room for one.
-- Keys: the user's, under their tag {u:user}.
-- Guarantees: records that no longer count are forgotten first (lib/presence.lua), so a dead node's connections and
-- records their node does not hold never refuse anyone; a record already counted is admitted again; the key's
-- lifetime is renewed.
-- Returns {ok} when admitted (or when there is room), {connection_limit} at the limit.
--!include lib/status.lua
--!include lib/tail.lua
--!include lib/presence.lua
--!include lib/check.lua
local connections_key = KEYS[1]
local record = ARGV[1]                  -- node_id:record_id; '' to only check for room
local now_ms = decimal_arg(ARGV[2], 'now_ms')
local fresh_after_ms = number_arg(ARGV[3], 'fresh_after_ms')
local max_connections = number_arg(ARGV[4], 'max_connections')
local key_lifetime_ms = decimal_arg(ARGV[5], 'key_lifetime_ms')
local live_nodes = tail(ARGV, 6)        -- pairs node_id, rewritten_since_ms

for i = 2, #live_nodes, 2 do number_arg(live_nodes[i], 'rewritten_since_ms') end

local counted = count_live_connections(connections_key, live_nodes, fresh_after_ms)
local known = record ~= '' and redis.call('ZSCORE', connections_key, record)
if not known and counted >= max_connections then return {status.connection_limit} end
if record ~= '' then
  redis.call('ZADD', connections_key, now_ms, record)
  redis.call('PEXPIRE', connections_key, key_lifetime_ms)
end
return {status.ok}
