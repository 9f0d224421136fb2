-- One user's list of list_size conversations in the three page layouts: a last message of message_size bytes, an
-- unread count, a peer read time, a creation time and an ext each (in a hash per field), the same packed into one
-- value per conversation, and the first page_size of them as one value. No settings: most users have none.
-- Inputs: KEYS user; ARGV list_size, message_size, timestamp_ms, page_size.
local user = KEYS[1]
local list_size, message_size, timestamp_ms, page_size = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local page = {}
for c = 1, list_size do
  local id = 'g:group' .. c
  local message = string.format('%.0f', timestamp_ms * 1024) .. '|' .. string.rep('m', message_size)
  redis.call('ZADD', user .. 'convs', timestamp_ms - c, id)
  redis.call('HSET', user .. 'created', id, timestamp_ms - 86400000)
  redis.call('HSET', user .. 'last', id, message)
  redis.call('HSET', user .. 'unread-counts', id, c % 7)
  redis.call('HSET', user .. 'peer-reads', id, timestamp_ms - c)
  redis.call('HSET', user .. 'exts', id, 'ext' .. c)
  local packed = (timestamp_ms - 86400000) .. '|' .. (c % 7) .. '|' .. (timestamp_ms - c) .. '|ext' .. c .. '|' .. message
  redis.call('HSET', user .. 'packed', id, packed)
  if c <= page_size then page[#page + 1] = id .. '|' .. (timestamp_ms - c) .. '|' .. packed end
end
redis.call('ZADD', user .. 'pins', timestamp_ms, 'g:group1')
redis.call('SET', user .. 'page', table.concat(page, '\n'))
return list_size
