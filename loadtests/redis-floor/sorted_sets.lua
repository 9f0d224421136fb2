-- The least one group message must write for each member in RoamingHub's layout, all members in one call: the
-- stream's epoch check, the member's next seq, the entry in the sorted set of entries, the msgId index (retry dedupe,
-- recall check) and the conversation's place in the list. No unread count, last message, settings or key lifetimes,
-- which RoamingHub also keeps per member. Trims amortised (every 47th seq). Keys are built here from the member ids:
-- one call for every member only runs on a single Redis, not on Redis Cluster.
-- Inputs (ARGV): stream_length, conversation, timestamp_ms, then the member ids. Returns each member's new seq.
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
  redis.call('ZADD', user .. 'events', seq, seq .. '|' .. timestamp_ms .. '|M|' .. conversation .. '|' .. msg_id)
  redis.call('ZADD', user .. 'stream-msgs', seq, msg_id)
  redis.call('ZADD', user .. 'convs', 'GT', timestamp_ms, conversation)
  if seq % 47 == 0 then
    redis.call('ZREMRANGEBYRANK', user .. 'events', 0, -(stream_length + 1))
    redis.call('ZREMRANGEBYRANK', user .. 'stream-msgs', 0, -(stream_length + 1))
  end
  seqs[#seqs + 1] = seq
end
return seqs
