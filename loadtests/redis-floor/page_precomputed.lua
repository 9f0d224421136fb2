-- The first page kept as one value, rebuilt by every write that changes any of its conversations: one GET. Same
-- inputs as page_fields.lua (page_size is the page it was built for).
local user = KEYS[1]
return redis.call('GET', user .. 'page')
