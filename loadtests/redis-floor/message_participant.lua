-- The least a single-chat message writes for each of its two participants, in their own slot (one call each): the
-- stream's epoch check, the seq, the entry, the msgId index, the conversation's place in the list, its last message
-- and, for the recipient, the unread count, the unread set and the badge. Inputs: KEYS stream, seq, events,
-- stream_msgs, convs, last, unread_counts, unread_summary, unread (the participant's); ARGV conversation, msg_id,
-- position, timestamp_ms, positioned_message, count_unread ('1' for the recipient), stream_length, run_id (the
-- server's, for the epoch check; '' to read it with INFO, as a script must that keeps nothing between calls).
-- Returns the seq.
local stream, seq_key, events, stream_msgs, convs, last = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local unread_counts, unread_summary, unread = KEYS[7], KEYS[8], KEYS[9]
local conversation, msg_id, position, timestamp_ms = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local positioned_message, count_unread, stream_length = ARGV[5], ARGV[6] == '1', tonumber(ARGV[7])
local run_id = ARGV[8]
if run_id == '' then run_id = string.match(redis.call('INFO', 'server'), 'run_id:(%w+)') end
local fields = redis.call('HMGET', stream, 'epoch', 'run_id')
if fields[2] ~= run_id then redis.call('HSET', stream, 'epoch', run_id .. '.1', 'run_id', run_id) end
local seq = redis.call('INCR', seq_key)
redis.call('ZADD', events, seq, seq .. '|' .. timestamp_ms .. '|M|' .. conversation .. '|' .. msg_id .. '|' .. position)
redis.call('ZADD', stream_msgs, seq, msg_id)
redis.call('ZADD', convs, 'GT', timestamp_ms, conversation)
redis.call('HSET', last, conversation, positioned_message)
if count_unread and redis.call('ZADD', unread, 'NX', position, msg_id) == 1 then
  if redis.call('HINCRBY', unread_counts, conversation, 1) == 1 then redis.call('HINCRBY', unread_summary, 'conversations', 1) end
  redis.call('HINCRBY', unread_summary, 'total', 1)
end
if seq % 47 == 0 then
  redis.call('ZREMRANGEBYRANK', events, 0, -(stream_length + 1))
  redis.call('ZREMRANGEBYRANK', stream_msgs, 0, -(stream_length + 1))
end
return seq
