-- Only a sequenced entry per member: the next seq and the entry appended to a LIST. No epoch check, no msgId index,
-- no list position: less than a stream the protocol describes needs. Same inputs and reply as sorted_sets.lua.
local stream_length = tonumber(ARGV[1])
local conversation = ARGV[2]
local timestamp_ms = ARGV[3]
local msg_id = string.format('%032d', redis.call('INCR', 'floor:msg-ids'))  -- as long as a msgId
local seqs = {}
for i = 4, #ARGV do
  local user = 'floor:{u:' .. ARGV[i] .. '}:'
  local seq = redis.call('INCR', user .. 'seq')
  redis.call('RPUSH', user .. 'event-list', seq .. '|' .. timestamp_ms .. '|M|' .. conversation .. '|' .. msg_id)
  if seq % 47 == 0 then redis.call('LTRIM', user .. 'event-list', -stream_length, -1) end
  seqs[#seqs + 1] = seq
end
return seqs
