-- Reads the user's event log after a seq.
-- Keys: the user's, under their tag {u:user}.
-- Guarantees: never a silent gap: a resync is required when the log no longer holds seq since + 1, or when since is
-- ahead of the log (the store lost data).
-- Returns {resync_required, last seq}, or {ok, last seq, events...} (each seq|event).
--!include lib/status.lua
local seq_key = KEYS[1]
local events_key = KEYS[2]
local since = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])

local last_seq = tonumber(redis.call('GET', seq_key) or '0')
if since == last_seq then return {status.ok, last_seq} end
if since > last_seq then return {status.resync_required, last_seq} end
local oldest = redis.call('ZRANGE', events_key, 0, 0, 'WITHSCORES')
if #oldest == 0 or tonumber(oldest[2]) > since + 1 then return {status.resync_required, last_seq} end
local result = {status.ok, last_seq}
for _, event in ipairs(redis.call('ZRANGEBYSCORE', events_key, '(' .. since, '+inf', 'LIMIT', 0, limit)) do
  result[#result + 1] = event
end
return result
