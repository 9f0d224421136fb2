-- Records that a node is alive, and answers which nodes are.
-- Keys: the deployment's node table (one hash for all nodes; no user or chat tag).
-- Guarantees: a node heard from within the node timeout is alive; one not heard from for a day leaves the table.
-- The caller learns whether the table still held its previous answered heartbeat or a later one (a heartbeat whose
-- answer timed out still ran): when not, Redis lost or went back on its data (a restart without persistence, a
-- restore of an older snapshot), and the node rewrites its records at once. Redis' clock comes back too, so a node can
-- warn that its own clock is off: liveness and records are judged by the nodes' clocks.
-- Returns {ok, 1 when the table held the previous heartbeat or a later one else 0, Redis' clock in ms,
--   pairs node_id, rewritten_since_ms of live nodes...}.
--!include lib/status.lua
local nodes_key = KEYS[1]
local node_id = ARGV[1]
local now_ms = ARGV[2]
local rewritten_since_ms = ARGV[3]      -- when the node's last complete round of rewriting its records began
local previous_heartbeat_ms = tonumber(ARGV[4])  -- the node's last answered heartbeat; 0 on its first
local alive_after_ms = tonumber(ARGV[5])
local forget_before_ms = tonumber(ARGV[6])

local previous = redis.call('HGET', nodes_key, node_id)
local intact
if previous then
  intact = tonumber(string.match(previous, '^(%d+):')) >= previous_heartbeat_ms
else
  intact = previous_heartbeat_ms == 0
end
redis.call('HSET', nodes_key, node_id, now_ms .. ':' .. rewritten_since_ms)
local clock = redis.call('TIME')
local result = {status.ok, intact and 1 or 0, string.format('%.0f', clock[1] * 1000 + math.floor(clock[2] / 1000))}
local nodes = redis.call('HGETALL', nodes_key)
for i = 1, #nodes, 2 do
  local heartbeat, since = string.match(nodes[i + 1], '^(%d+):(%d+)$')
  heartbeat = tonumber(heartbeat)
  if heartbeat < forget_before_ms then
    redis.call('HDEL', nodes_key, nodes[i])
  elseif heartbeat >= alive_after_ms then
    result[#result + 1] = nodes[i]
    result[#result + 1] = since
  end
end
return result
