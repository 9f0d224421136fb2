-- Forgets a user's connection records that no longer count, and counts the rest (see IPresenceStore).
-- A record is 'node_id:record_id' scored by the time its node last wrote it. It counts when its node is alive and
-- it was written since that node's last complete round began, or when it was written within the node timeout.
-- live_nodes: flat pairs node_id, rewritten_since_ms; fresh_after_ms: now minus the node timeout.
-- Returns how many records still count.
local function count_live_connections(connections_key, live_nodes, fresh_after_ms)
  local rewritten_since = {}
  for i = 1, #live_nodes, 2 do rewritten_since[live_nodes[i]] = tonumber(live_nodes[i + 1]) end
  local records = redis.call('ZRANGE', connections_key, 0, -1, 'WITHSCORES')
  local counted = 0
  for i = 1, #records, 2 do
    local record, written = records[i], tonumber(records[i + 1])
    local since = rewritten_since[string.match(record, '^([^:]*):')]
    if (since and written >= since) or written >= fresh_after_ms then
      counted = counted + 1
    else
      redis.call('ZREM', connections_key, record)
    end
  end
  return counted
end
