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
--!include lib/check.lua
local nodes_key = KEYS[1]
local node_id = ARGV[1]
local now_ms = decimal_arg(ARGV[2], 'now_ms')
local rewritten_since_ms = decimal_arg(ARGV[3], 'rewritten_since_ms')  -- when the node's last complete round of rewriting its records began
local previous_heartbeat_ms = number_arg(ARGV[4], 'previous_heartbeat_ms')  -- the node's last answered heartbeat; 0 on its first
local alive_after_ms = number_arg(ARGV[5], 'alive_after_ms')
local forget_before_ms = number_arg(ARGV[6], 'forget_before_ms')

-- The table is read and every other node's entry parsed before the first write (lib/check.lua); this node's entry
-- is the one written now.
local nodes = redis.call('HGETALL', nodes_key)
local previous
local entries = {}
for i = 1, #nodes, 2 do
  if nodes[i] == node_id then
    previous = nodes[i + 1]
  else
    local heartbeat, since = string.match(nodes[i + 1], '^(%d+):(%d+)$')
    if not heartbeat then refuse('ERR stored heartbeat of another node is not heartbeat_ms:rewritten_since_ms') end
    entries[#entries + 1] = {nodes[i], tonumber(heartbeat), since}
  end
end
local intact
if previous then
  intact = (tonumber(string.match(previous, '^(%d+):')) or refuse('ERR stored heartbeat is not heartbeat_ms:rewritten_since_ms')) >= previous_heartbeat_ms
else
  intact = previous_heartbeat_ms == 0
end
entries[#entries + 1] = {node_id, tonumber(now_ms), rewritten_since_ms}

redis.call('HSET', nodes_key, node_id, now_ms .. ':' .. rewritten_since_ms)
local clock = redis.call('TIME')
local result = {status.ok, intact and 1 or 0, string.format('%.0f', clock[1] * 1000 + math.floor(clock[2] / 1000))}
for _, entry in ipairs(entries) do
  local id, heartbeat, since = entry[1], entry[2], entry[3]
  if heartbeat < forget_before_ms then
    redis.call('HDEL', nodes_key, id)
  elseif heartbeat >= alive_after_ms then
    result[#result + 1] = id
    result[#result + 1] = since
  end
end
return result
