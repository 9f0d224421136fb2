-- Counts a connection against its user's limit.
-- Keys: the user's, under their tag {u:user}.
-- Guarantees: connections a crashed node never removed (not refreshed since stale_before_ms) age out first; a
-- connection already counted is admitted again; the key's lifetime is renewed.
-- Returns {ok} when admitted, {connection_limit} at the limit.
--!include lib/status.lua
local connections_key = KEYS[1]
local connection_id = ARGV[1]
local now_ms = ARGV[2]
local stale_before_ms = ARGV[3]
local max_connections = tonumber(ARGV[4])
local key_lifetime_ms = ARGV[5]

redis.call('ZREMRANGEBYSCORE', connections_key, '-inf', '(' .. stale_before_ms)
if not redis.call('ZSCORE', connections_key, connection_id)
   and redis.call('ZCARD', connections_key) >= max_connections then
  return {status.connection_limit}
end
redis.call('ZADD', connections_key, now_ms, connection_id)
redis.call('PEXPIRE', connections_key, key_lifetime_ms)
return {status.ok}
