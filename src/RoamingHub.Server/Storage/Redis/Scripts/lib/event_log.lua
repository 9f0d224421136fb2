-- The user's stream (keys of lib/user_keys.lua, tag {u:user}): seq_key holds the newest seq, events the entries,
-- stream the epoch, the Redis run_id it was last written under, the seq it started after (base) and the epoch before
-- it (prev, as the restored data named it), stream_msgs the
-- seq of each message entry by msgId.
-- An entry is 'seq|time|E|<event>' (a multi-device event or PEER_READ, MessagePack) or
-- 'seq|time|M|<member>|<msgId>|<position>' (a reference to a message, read back whole at replay).
-- bounds: as lib/user_lifetime.lua reads them.
-- A script that appends or trims calls check_stream before its first write, so nothing here fails after it.
--!include lib/user_keys.lua
--!include lib/user_lifetime.lua

-- stream_seq(): the newest seq as stored (a string, or false for none), read once per call; it must be a number.
local seq_read = nil
local function stream_seq()
  if seq_read == nil then
    seq_read = redis.call('GET', seq_key)
    stored_number(seq_read, 'seq')
  end
  return seq_read
end

-- The stream's epoch. The epoch key comes back with the data it describes, so a restore from an old snapshot would
-- bring its old epoch back too; the run_id is the signal from outside the data: a different run (a restart, a
-- failover) or missing metadata starts a new epoch, unique by the server's TIME even under the same run.
-- epoch_state(): the epoch, base and prev as they are once the rule applied, read without writing ('new' when the
-- rule starts an epoch, which stream_epoch then writes).
local epoch_read = nil
local function epoch_state()
  if epoch_read then return epoch_read end
  local fields = stream_fields()
  local run_id = string.match(redis.call('INFO', 'server'), 'run_id:(%w+)')
  if fields.epoch and fields.run_id == run_id then
    epoch_read = {epoch = fields.epoch, base = fields.base, prev = fields.prev}
  else
    local time = redis.call('TIME')
    local epoch = string.sub(run_id, 1, 12) .. '.' .. time[1] .. string.format('%06d', tonumber(time[2]))
    epoch_read = {epoch = epoch, run_id = run_id, base = stream_seq() or '0', prev = fields.epoch or '', new = true}
  end
  return epoch_read
end

-- stream_epoch(): the epoch, written first when the rule starts one.
local function stream_epoch()
  local state = epoch_state()
  if state.new then
    redis.call('HSET', stream, 'epoch', state.epoch, 'run_id', state.run_id, 'base', state.base, 'prev', state.prev)
    state.new = false
  end
  return state.epoch
end

-- How far past its length the stream may grow between trims: a full stream is trimmed once per that many appends
-- rather than on each. A 64th of the length, rounded down (none below 64 entries).
local function trim_slack(length)
  return math.floor(length / 64)
end

-- check_stream(msg_id, bounds, appends_first, recall_of): before a script's first write, when it will append to the
-- stream or trim it: the stream hash is read and parsed (lib/user_lifetime.lua's check included), events is counted
-- (ZCARD, which trim_stream then uses), and stream_msgs is read for msg_id (the entry the script will append once,
-- kept in appended_seq) and for 'r:<recall_of or msg_id>' (that message's recall entry, kept in recalled_seq) or,
-- without one, its type checked when the trim may write it. The seq is read and parsed unless appends_first says
-- the append is the script's first write: its INCR is then the check (an INCR that fails writes nothing), and a
-- new epoch reads the seq before writing it. With bounds, the trim by age runs on the calls that renew the user's
-- keys (lib/user_lifetime.lua), so at most once a minute; without (the reads, and the writes that pass none), on
-- every call.
local events_size = nil
local trims_by_age = true
local appended_for, appended_seq, recalled_seq = nil, nil, nil
local function check_stream(msg_id, bounds, appends_first, recall_of)
  stream_fields()
  if not appends_first then stream_seq() end
  events_size = redis.call('ZCARD', events)
  read_user_keys(seq_key, events)
  local trims_msgs = true
  if bounds then
    local length = parse_bounds(bounds)
    trims_by_age = renewal_due(bounds)
    trims_msgs = trims_by_age or events_size + 1 > length + trim_slack(length)
  end
  if msg_id then
    -- One read for the message's entry and its recall's ('r:<msgId>', written by apply_recall.lua), so a delivery step
    -- that runs after the recall reached this user knows it and brings nothing back; apply_recall.lua asks in the same
    -- read about the message it would show instead of the one recalled (recall_of).
    local scores = redis.call('ZMSCORE', stream_msgs, msg_id, 'r:' .. (recall_of or msg_id))
    appended_for, appended_seq, recalled_seq = msg_id, scores[1], scores[2]
    read_user_keys(stream_msgs)
  elseif trims_msgs then
    expect_user_keys(stream_msgs)
  end
end

-- Keeps the newest length entries, letting the stream grow trim_slack(length) past them between trims, and none
-- older than oldest on the calls check_stream named; message dedupe entries go with their entries. An idle stream is
-- trimmed by age when it is next read or written (by a pin or a message: in a new renewal interval); at most 100
-- entries per call, so a call stays cheap. An entry whose time cannot be read ends the trim by age (the length still
-- bounds the stream), so it never fails a write. Within its bound, a call that does not trim by age sends nothing.
local function entry_time(entry)
  return tonumber(string.match(entry, '^%d+|(%d+)|'))
end
local function trim_stream(length, oldest)
  local size = events_size or redis.call('ZCARD', events)
  events_size = nil
  local removed = 0
  if size > length + trim_slack(length) then removed = redis.call('ZREMRANGEBYRANK', events, 0, -(length + 1)) end
  if trims_by_age then
    local first_time = entry_time(redis.call('ZRANGE', events, 0, 0)[1] or '')
    if first_time and first_time < oldest then
      local expired = 0
      for _, entry in ipairs(redis.call('ZRANGE', events, 0, 99)) do
        local time = entry_time(entry)
        if not time or time >= oldest then break end
        expired = expired + 1
      end
      redis.call('ZREMRANGEBYRANK', events, 0, expired - 1)
      removed = removed + expired
    end
  end
  if removed == 0 then return end
  local first = redis.call('ZRANGE', events, 0, 0, 'WITHSCORES')
  if first[2] then redis.call('ZREMRANGEBYSCORE', stream_msgs, '-inf', '(' .. first[2]) else redis.call('DEL', stream_msgs) end
end

-- append_entry(entry, bounds): appends 'E|...' or 'M|...' with the next seq and trims. Returns {seq, epoch}.
local function append_entry(entry, bounds)
  local length, oldest, now = parse_bounds(bounds)
  local epoch = stream_epoch()
  local seq = redis.call('INCR', seq_key)
  seq_read = tostring(seq)
  local was_empty = (events_size or redis.call('ZCARD', events)) == 0
  if redis.call('ZADD', events, seq, seq .. '|' .. now .. '|' .. entry) == 1 and events_size then events_size = events_size + 1 end
  if seq == 1 then may_have_created(seq_key) end
  if was_empty then may_have_created(events) end
  trim_stream(length, oldest)
  return {seq, epoch}
end

-- append_event(blob, bounds): appends a multi-device event (or PEER_READ). Returns {seq, epoch}.
local function append_event(blob, bounds)
  return append_entry('E|' .. blob, bounds)
end

-- append_message(member, msg_id, position, bounds): appends a reference to a message once per msgId: a retried
-- send answers the entry it made before. A message recalled from this user's view (check_stream found
-- 'r:<msgId>') is never appended: the answer is its entry if it has one, else the recall's.
-- Returns {seq, epoch, 1 when this call appended it or 0}.
local function append_message(member, msg_id, position, bounds)
  local seq = appended_seq
  if appended_for ~= msg_id then seq = redis.call('ZSCORE', stream_msgs, msg_id) end
  if appended_for == msg_id and recalled_seq then seq = seq or recalled_seq end
  if seq then return {tonumber(seq), stream_epoch(), 0} end
  local entry = append_entry('M|' .. member .. '|' .. msg_id .. '|' .. position, bounds)
  redis.call('ZADD', stream_msgs, entry[1], msg_id)
  if redis.call('ZCARD', stream_msgs) == 1 then may_have_created(stream_msgs) end
  entry[3] = 1
  return entry
end
