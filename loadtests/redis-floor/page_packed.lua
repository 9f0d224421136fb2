-- page_fields.lua with every field of a conversation packed into one value of one hash (what a layout built for
-- reading would keep, at the cost of rewriting the whole value on every change of any field): the ids, then one
-- HMGET. Same inputs as page_fields.lua.
local user = KEYS[1]
local page_size = tonumber(ARGV[1])
local listed = redis.call('ZREVRANGE', user .. 'convs', 0, page_size - 1, 'WITHSCORES')
local ids = {}
for i = 1, #listed, 2 do ids[#ids + 1] = listed[i] end
return {listed, redis.call('HMGET', user .. 'packed', unpack(ids))}
