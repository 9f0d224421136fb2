-- The user's stream (keys of lib/user_keys.lua, tag {u:user}): seq_key holds the newest seq, events the entries,
-- stream the epoch, the Redis run_id it was last written under, the seq it started after (base) and the epoch before
-- it (prev, as the restored data named it), stream_msgs the
-- seq of each message entry by msgId.
-- An entry is 'seq|time|E|<event>' (a multi-device event or PEER_READ, MessagePack) or
-- 'seq|time|M|<member>|<msgId>|<position>' (a reference to a message, read back whole at replay).
-- bounds: as lib/user_lifetime.lua reads them.
--!include lib/user_keys.lua
--!include lib/user_lifetime.lua

-- The stream's epoch. The epoch key comes back with the data it describes, so a restore from an old snapshot would
-- bring its old epoch back too; the run_id is the signal from outside the data: a different run (a restart, a
-- failover) or missing metadata starts a new epoch, unique by the server's TIME even under the same run.
local function stream_epoch()
  local run_id = string.match(redis.call('INFO', 'server'), 'run_id:(%w+)')
  local meta = redis.call('HMGET', stream, 'epoch', 'run_id')
  if meta[1] and meta[2] == run_id then return meta[1] end
  local time = redis.call('TIME')
  local epoch = string.sub(run_id, 1, 12) .. '.' .. time[1] .. string.format('%06d', tonumber(time[2]))
  redis.call('HSET', stream, 'epoch', epoch, 'run_id', run_id, 'base', redis.call('GET', seq_key) or '0', 'prev', meta[1] or '')
  return epoch
end

-- Keeps the newest length entries and none older than oldest; message dedupe entries go with their entries. An
-- idle stream is trimmed by age when it is next written or read; at most 100 entries per call, so a call stays cheap.
-- Returns the seq of the oldest entry left, or nil.
local function trim_stream(length, oldest)
  redis.call('ZREMRANGEBYRANK', events, 0, -(length + 1))
  local expired = 0
  for _, entry in ipairs(redis.call('ZRANGE', events, 0, 99)) do
    if tonumber(string.match(entry, '^%d+|(%d+)|')) >= oldest then break end
    expired = expired + 1
  end
  if expired > 0 then redis.call('ZREMRANGEBYRANK', events, 0, expired - 1) end
  local first = redis.call('ZRANGE', events, 0, 0, 'WITHSCORES')
  if first[2] then redis.call('ZREMRANGEBYSCORE', stream_msgs, '-inf', '(' .. first[2]) else redis.call('DEL', stream_msgs) end
  return tonumber(first[2])
end

-- append_entry(entry, bounds): appends 'E|...' or 'M|...' with the next seq and trims. Returns {seq, epoch}.
local function append_entry(entry, bounds)
  local length, oldest, now = parse_bounds(bounds)
  local epoch = stream_epoch()
  local seq = redis.call('INCR', seq_key)
  redis.call('ZADD', events, seq, seq .. '|' .. now .. '|' .. entry)
  if seq == 1 then may_have_created(seq_key) end
  if trim_stream(length, oldest) == seq then may_have_created(events) end
  return {seq, epoch}
end

-- append_event(blob, bounds): appends a multi-device event (or PEER_READ). Returns {seq, epoch}.
local function append_event(blob, bounds)
  return append_entry('E|' .. blob, bounds)
end

-- append_message(member, msg_id, position, bounds): appends a reference to a message once per msgId: a retried
-- send answers the entry it made before. Returns {seq, epoch, 1 when this call appended it or 0}.
local function append_message(member, msg_id, position, bounds)
  local seq = redis.call('ZSCORE', stream_msgs, msg_id)
  if seq then return {tonumber(seq), stream_epoch(), 0} end
  local entry = append_entry('M|' .. member .. '|' .. msg_id .. '|' .. position, bounds)
  redis.call('ZADD', stream_msgs, entry[1], msg_id)
  if redis.call('ZCARD', stream_msgs) == 1 then may_have_created(stream_msgs) end
  entry[3] = 1
  return entry
end
