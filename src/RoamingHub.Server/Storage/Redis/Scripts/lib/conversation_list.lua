-- Helpers that keep a user's list and its derived state (unread counts, the badge) exact.
--!include lib/user_keys.lua
--!include lib/user_lifetime.lua

-- position_of(entry): the position of a last-message entry (position|blob), read without decoding the message.
local function position_of(entry)
  return tonumber(string.sub(entry, 1, string.find(entry, '|', 1, true) - 1))
end

-- Records a conversation's unread count and moves the summary by the difference, so the badge stays exact.
local function set_unread(member, count)
  local old = tonumber(redis.call('HGET', unread_counts, member) or '0')
  if count == old then return end
  if count == 0 then redis.call('HDEL', unread_counts, member) else redis.call('HSET', unread_counts, member, count) end
  redis.call('HINCRBY', unread_summary, 'total', count - old)
  if old == 0 then
    redis.call('HINCRBY', unread_summary, 'conversations', 1)
    may_have_created(unread_counts)
    may_have_created(unread_summary)
  elseif count == 0 then
    redis.call('HINCRBY', unread_summary, 'conversations', -1)
  end
end

-- A conversation leaves the list and everything the user kept for it goes; its unread set is reset when it
-- comes back (its key is not known here).
local function forget(member)
  redis.call('ZREM', convs, member)
  redis.call('ZREM', pins, member)
  redis.call('HDEL', created, member)
  redis.call('HDEL', last, member)
  redis.call('HDEL', reads, member)
  redis.call('HDEL', peer_reads, member)
  redis.call('HDEL', exts, member)
  set_unread(member, 0)
end

-- Drops the least recently active unpinned conversations beyond max; reads at most pins + excess members.
local function evict(max)
  local excess = redis.call('ZCARD', convs) - max
  if excess <= 0 then return end
  local candidates = redis.call('ZRANGE', convs, 0, redis.call('ZCARD', pins) + excess - 1)
  for _, member in ipairs(candidates) do
    if excess <= 0 then break end
    if not redis.call('ZSCORE', pins, member) then
      forget(member)
      excess = excess - 1
    end
  end
end
