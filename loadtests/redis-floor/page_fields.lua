-- The least a first page of a conversation list reads in RoamingHub's layout (lib/conversation_entries.lua): the
-- page's ids with their activity from the list, whether each is pinned, and each field from its own per-user hash
-- (creation time, last message, unread count, peer read time, ext; settings when the user has any). Inputs: KEYS user
-- (the prefix of the user's keys); ARGV page_size. Returns the replies as read.
local user = KEYS[1]
local page_size = tonumber(ARGV[1])
local listed = redis.call('ZREVRANGE', user .. 'convs', 0, page_size - 1, 'WITHSCORES')
local ids = {}
for i = 1, #listed, 2 do ids[#ids + 1] = listed[i] end
local reply = {listed, redis.call('ZMSCORE', user .. 'pins', unpack(ids))}
for _, field in ipairs({'created', 'last', 'unread-counts', 'peer-reads', 'exts'}) do
  reply[#reply + 1] = redis.call('HMGET', user .. field, unpack(ids))
end
-- As RoamingHub does: settings are read only for a user who has any (one EXISTS otherwise).
if redis.call('EXISTS', user .. 'settings') == 1 then reply[#reply + 1] = redis.call('HMGET', user .. 'settings', unpack(ids)) end
return reply
