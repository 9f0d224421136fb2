-- sorted_sets.lua with the cheapest structures Redis has for the same writes: the entries a LIST (appended with
-- RPUSH, trimmed with LTRIM) and the msgId index a HASH (trimmed with the entries). The list position stays a sorted
-- set: it is ordered by activity. Same inputs and reply as sorted_sets.lua.
local stream_length = tonumber(ARGV[1])
local conversation = ARGV[2]
local timestamp_ms = ARGV[3]
local run_id = string.match(redis.call('INFO', 'server'), 'run_id:(%w+)')
local msg_id = string.format('%032d', redis.call('INCR', 'floor:msg-ids'))  -- as long as a msgId
local seqs = {}
for i = 4, #ARGV do
  local user = 'floor:{u:' .. ARGV[i] .. '}:'
  local stream = redis.call('HMGET', user .. 'stream', 'epoch', 'run_id')
  if stream[2] ~= run_id then redis.call('HSET', user .. 'stream', 'epoch', run_id .. '.1', 'run_id', run_id) end
  local seq = redis.call('INCR', user .. 'seq')
  redis.call('RPUSH', user .. 'event-list', seq .. '|' .. timestamp_ms .. '|M|' .. conversation .. '|' .. msg_id)
  redis.call('HSET', user .. 'stream-msg-hash', msg_id, seq)
  redis.call('ZADD', user .. 'convs', 'GT', timestamp_ms, conversation)
  if seq % 47 == 0 then
    -- The entries the trim drops take their msgIds out of the index (an entry ends with its msgId).
    local dropped = redis.call('LRANGE', user .. 'event-list', 0, -(stream_length + 1))
    if #dropped > 0 then
      local gone = {}
      for j, entry in ipairs(dropped) do gone[j] = string.match(entry, '([^|]+)$') end
      redis.call('HDEL', user .. 'stream-msg-hash', unpack(gone))
      redis.call('LTRIM', user .. 'event-list', -stream_length, -1)
    end
  end
  seqs[#seqs + 1] = seq
end
return seqs
