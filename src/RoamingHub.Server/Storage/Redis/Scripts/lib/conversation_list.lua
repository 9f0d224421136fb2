-- Helpers that keep a user's list and its derived state (unread counts, the badge) exact. A script that will call
-- set_unread, forget or evict first runs check_unread, check_forget or check_eviction, before its first write
-- (lib/check.lua), so none of them fails after it.
--!include lib/user_keys.lua
--!include lib/user_lifetime.lua
--!include lib/conversation_settings.lua

-- position_of(entry): the position of a last-message entry (position|blob), read without decoding the message; an
-- entry without one raises.
local function position_of(entry)
  local position = tonumber(string.match(entry, '^(%d+)|'))
  if not position then refuse('ERR stored last message has no position') end
  return position
end

-- The unread counts read by the checks, by member, kept as set_unread changes them; all_unread_read once
-- unread_members read every one (a member it did not find has none).
local unread_of = {}
local all_unread_read = false
local summary_checked = false
-- The badge's conversations as read by check_unread and moved by set_unread: while it is above 0, unread_counts and
-- unread_summary exist, so set_unread creates neither.
local unread_conversations = nil

-- check_unread(members): the unread counts of members, and the badge, are read and must be numbers (which also
-- checks both keys' types): one HMGET of the badge per call, one HGET per member not read yet.
local function check_unread(members)
  if not summary_checked then
    local summary = redis.call('HMGET', unread_summary, 'total', 'conversations')
    stored_number(summary[1], 'unread-summary total')
    unread_conversations = stored_number(summary[2], 'unread-summary conversations') or 0
    summary_checked = true
  end
  for _, member in ipairs(members) do
    if unread_of[member] == nil then
      unread_of[member] = all_unread_read and 0 or stored_number(redis.call('HGET', unread_counts, member), 'unread count') or 0
    end
  end
end

-- unread_members(): the members that have an unread count, every count read and checked (one HGETALL).
local function unread_members()
  local members = {}
  local counts = redis.call('HGETALL', unread_counts)
  for i = 1, #counts, 2 do
    members[#members + 1] = counts[i]
    unread_of[counts[i]] = stored_number(counts[i + 1], 'unread count')
  end
  all_unread_read = true
  return members
end

-- Records a conversation's unread count and moves the summary by the difference, so the badge stays exact.
local function set_unread(member, count)
  local old = unread_of[member]
  if old == nil then old = tonumber(redis.call('HGET', unread_counts, member) or '0') end
  unread_of[member] = count
  if count == old then return end
  if count == 0 then redis.call('HDEL', unread_counts, member) else redis.call('HSET', unread_counts, member, count) end
  redis.call('HINCRBY', unread_summary, 'total', count - old)
  if old == 0 then
    redis.call('HINCRBY', unread_summary, 'conversations', 1)
    if not (unread_conversations and unread_conversations > 0) then
      may_have_created(unread_counts)
      may_have_created(unread_summary)
    end
    if unread_conversations then unread_conversations = unread_conversations + 1 end
  elseif count == 0 then
    redis.call('HINCRBY', unread_summary, 'conversations', -1)
    if unread_conversations then unread_conversations = unread_conversations - 1 end
  end
end

-- The settings of the members check_forget read, so forget knows which marks to unindex.
local forgotten_settings = {}

-- check_forget(members): the keys forget writes hold their types, and the members' counts and settings are read
-- (check_unread; one HMGET of settings, and a check of marked when one of them has marks).
local function check_forget(members)
  expect_user_keys(convs, pins, created, last, reads, peer_reads, exts)
  check_unread(members)
  local values = redis.call('HMGET', settings, unpack(members))
  read_user_keys(settings)
  for i, member in ipairs(members) do
    forgotten_settings[member] = parse_settings(values[i])
    if #forgotten_settings[member].marks > 0 then expect_user_keys(marked) end
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
  local kept = forgotten_settings[member]
  if kept then
    unindex_marks(member, kept.marks)
    redis.call('HDEL', settings, member)
  end
  set_unread(member, 0)
end

-- check_eviction(max, member): when the script may add member to the list and then evict. When the list is full,
-- evict will drop members among the pins + excess least recently active (one more for a pin this call adds) and
-- member itself: those are checked for forget. One ZCARD while the list has room.
local listed_before = nil
local function check_eviction(max, member)
  listed_before = redis.call('ZCARD', convs)
  read_user_keys(convs)
  local excess = listed_before + 1 - max
  if excess <= 0 then return end
  local candidates = redis.call('ZRANGE', convs, 0, redis.call('ZCARD', pins) + excess)
  read_user_keys(pins)
  candidates[#candidates + 1] = member
  check_forget(candidates)
end

-- Drops the least recently active unpinned conversations beyond max, once the call added one conversation to the
-- list (counted by check_eviction before); reads at most pins + excess members.
local function evict(max)
  local excess = (listed_before and listed_before + 1 or redis.call('ZCARD', convs)) - max
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

-- list_activity(member, at_ms): the conversation's activity becomes at_ms unless it is later already; one the list
-- does not have is added, created at at_ms, with its unread set started again (a call that may add one ran
-- check_eviction before its first write, and runs evict after). Returns whether it was added.
local function list_activity(member, at_ms)
  if redis.call('ZADD', convs, 'GT', at_ms, member) == 0 then return false end
  redis.call('HSET', created, member, at_ms)
  redis.call('DEL', unread)
  -- created holds a field for each listed conversation, so both keys exist unless the list was empty.
  if listed_before == 0 then
    may_have_created(convs)
    may_have_created(created)
  end
  return true
end
