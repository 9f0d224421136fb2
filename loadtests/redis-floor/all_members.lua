-- The least one group message writes for each member, all members in one call, in one of three structures. Keys are
-- built here from the member ids, so one call for every member only runs on a single Redis, not on Redis Cluster.
-- - 'sorted_sets', RoamingHub's: the stream's epoch check, the member's next seq, the entry in a sorted set of entries,
--   the msgId index (retry dedupe, recall check) in a sorted set, and the conversation's place in the list. No unread
--   count, last message, settings or key lifetimes, which RoamingHub also keeps per member.
-- - 'lists', the cheapest for the same writes: the entries a LIST (RPUSH, LTRIM) and the msgId index a HASH, trimmed
--   with the entries. The list's order stays a sorted set: it is ordered by activity.
-- - 'seq_only': the next seq and the entry appended to a LIST, nothing else; less than the protocol's stream needs.
-- Trims amortised (every 47th seq). Each structure has its own keys (seq_only's list is seq_only_per_member.lua's too).
-- Inputs (ARGV): structure, stream_length, conversation, timestamp_ms, then the member ids. Returns each member's seq.
local structure = ARGV[1]
local stream_length = tonumber(ARGV[2])
local conversation = ARGV[3]
local timestamp_ms = ARGV[4]
local run_id = structure ~= 'seq_only' and string.match(redis.call('INFO', 'server'), 'run_id:(%w+)')
local msg_id = string.format('%032d', redis.call('INCR', 'floor:msg-ids'))  -- as long as a msgId
local seqs = {}
for i = 5, #ARGV do
  local user = 'floor:{u:' .. ARGV[i] .. '}:'
  if run_id then
    local stream = redis.call('HMGET', user .. 'stream', 'epoch', 'run_id')
    if stream[2] ~= run_id then redis.call('HSET', user .. 'stream', 'epoch', run_id .. '.1', 'run_id', run_id) end
  end
  local seq = redis.call('INCR', user .. 'seq')
  local entry = seq .. '|' .. timestamp_ms .. '|M|' .. conversation .. '|' .. msg_id
  if structure == 'sorted_sets' then
    redis.call('ZADD', user .. 'events', seq, entry)
    redis.call('ZADD', user .. 'stream-msgs', seq, msg_id)
    if seq % 47 == 0 then
      redis.call('ZREMRANGEBYRANK', user .. 'events', 0, -(stream_length + 1))
      redis.call('ZREMRANGEBYRANK', user .. 'stream-msgs', 0, -(stream_length + 1))
    end
  elseif structure == 'lists' then
    redis.call('RPUSH', user .. 'event-list', entry)
    redis.call('HSET', user .. 'stream-msg-hash', msg_id, seq)
    if seq % 47 == 0 then
      -- The entries the trim drops take their msgIds out of the index (an entry ends with its msgId).
      local dropped = redis.call('LRANGE', user .. 'event-list', 0, -(stream_length + 1))
      local gone = {}
      for j, old in ipairs(dropped) do gone[j] = string.match(old, '([^|]+)$') end
      if #gone > 0 then redis.call('HDEL', user .. 'stream-msg-hash', unpack(gone)) end
      redis.call('LTRIM', user .. 'event-list', -stream_length, -1)
    end
  else
    redis.call('RPUSH', user .. 'seq-list', entry)
    if seq % 47 == 0 then redis.call('LTRIM', user .. 'seq-list', -stream_length, -1) end
  end
  if structure ~= 'seq_only' then redis.call('ZADD', user .. 'convs', 'GT', timestamp_ms, conversation) end
  seqs[#seqs + 1] = seq
end
return seqs
