-- Gives each member a full stream in every layout (stream_length entries: a sorted set and its msgId index, a list
-- and its msgId index, a bare list, a Redis stream) and a list of list_size conversations,
-- as a member of a busy deployment has: the writes then land in sets of their real size, cold in the CPU's caches.
-- Inputs (ARGV): stream_length, list_size, timestamp_ms, then the member ids.
local stream_length = tonumber(ARGV[1])
local list_size = tonumber(ARGV[2])
local timestamp_ms = tonumber(ARGV[3])
for i = 4, #ARGV do
  local user = 'floor:{u:' .. ARGV[i] .. '}:'
  for seq = 1, stream_length do
    local msg_id = string.format('p%031d', seq)
    local entry = seq .. '|' .. timestamp_ms .. '|M|g:prefill|' .. msg_id
    redis.call('ZADD', user .. 'events', seq, entry)
    redis.call('ZADD', user .. 'stream-msgs', seq, msg_id)
    redis.call('RPUSH', user .. 'event-list', entry)
    redis.call('RPUSH', user .. 'seq-list', entry)
    redis.call('HSET', user .. 'stream-msg-hash', msg_id, seq)
    redis.call('XADD', user .. 'event-stream', '1-' .. seq, 'e', entry)
  end
  redis.call('SET', user .. 'seq', stream_length)
  for c = 1, list_size do redis.call('ZADD', user .. 'convs', timestamp_ms - c, 'g:other' .. c) end
end
return #ARGV - 3
