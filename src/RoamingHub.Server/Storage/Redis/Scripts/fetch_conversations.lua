-- One page of a user's conversation list or pins, newest first.
-- Keys: the sixteen of lib/user_keys.lua, under the user's tag {u:user}; extra is the device's walk snapshot.
-- Guarantees: a first page with more to come copies the list into the device's snapshot, marked with the walk id
-- (one snapshot per device and list: a new walk replaces the last); later pages read the snapshot and renew it, so a
-- walk sees each conversation once while activity reorders the live list. Members that left the list since are
-- skipped, and a last message past retention is left out. Entries are read with one multi-key command per field, so
-- a page costs about a dozen commands whatever its size (a first page one fewer: its range carries the scores). A
-- user's own read keeps their keys alive (lib/user_lifetime.lua) and creates none for an unused id.
-- Returns {walk_expired} for an unknown or replaced walk, else {ok, has more (0/1), then per entry: member,
-- activity, created, pin time or false, last message or false, unread count, peer read time or false, ext or false}.
--!include lib/status.lua
--!include lib/user_keys.lua
--!include lib/conversation_list.lua
--!include lib/user_lifetime.lua
local continues = ARGV[1] == 'continue'  -- else 'start'
local offset = number_arg(ARGV[2], 'offset')
local page_size = number_arg(ARGV[3], 'page_size')
local snapshot_lifetime_ms = decimal_arg(ARGV[4], 'snapshot_lifetime_ms')
local retention_floor = number_arg(ARGV[5], 'retention_floor')
local list = ARGV[6]                     -- 'pins' or 'convs'
local walk_id = ARGV[7]
local bounds = bounds_arg(ARGV[8], 'bounds')  -- length:oldest:now:lifetime, see lib/user_lifetime.lua

local source = list == 'pins' and pins or convs
local marker = '#' .. walk_id
local count
if continues then
  if not redis.call('ZSCORE', extra, marker) then return {status.walk_expired} end
  count = redis.call('ZCARD', extra) - 1
else
  count = redis.call('ZCARD', source)
end
local more = count > offset + page_size
-- The page is read whole before the snapshot and the keys' lifetime are written (lib/check.lua).
-- A first page reads the live list with its scores, which are then the entries' activity (or pin) times: one ZMSCORE
-- fewer. A later page reads the snapshot, whose scores are as they were when the walk began, so it reads both live.
local members, scores = {}, {}
if continues then
  for _, member in ipairs(redis.call('ZREVRANGE', extra, offset, offset + page_size - 1)) do
    if string.sub(member, 1, 1) ~= '#' then members[#members + 1] = member end
  end
else
  local read = redis.call('ZREVRANGE', source, offset, offset + page_size - 1, 'WITHSCORES')
  for i = 1, #read, 2 do
    members[#members + 1] = read[i]
    scores[#scores + 1] = read[i + 1]
  end
end
check_keep_alive()
local result = {status.ok, more and 1 or 0}
if #members > 0 then
  local activity, pinned
  if continues then
    activity = redis.call('ZMSCORE', convs, unpack(members))
    pinned = redis.call('ZMSCORE', pins, unpack(members))
  elseif list == 'pins' then
    activity = redis.call('ZMSCORE', convs, unpack(members))
    pinned = scores
  else
    activity = scores
    pinned = redis.call('ZMSCORE', pins, unpack(members))
  end
  local created_at = redis.call('HMGET', created, unpack(members))
  local messages = redis.call('HMGET', last, unpack(members))
  local unread_at = redis.call('HMGET', unread_counts, unpack(members))
  local peer_read = redis.call('HMGET', peer_reads, unpack(members))
  local ext_of = redis.call('HMGET', exts, unpack(members))
  for i, member in ipairs(members) do
    if activity[i] then
      local message = messages[i]
      if message and position_of(message) <= retention_floor then message = false end
      result[#result + 1] = member
      result[#result + 1] = activity[i]
      result[#result + 1] = created_at[i] or activity[i]
      result[#result + 1] = pinned[i] or false
      result[#result + 1] = message or false
      result[#result + 1] = unread_at[i] or '0'
      result[#result + 1] = peer_read[i] or false
      result[#result + 1] = ext_of[i] or false
    end
  end
end

if continues then
  redis.call('PEXPIRE', extra, snapshot_lifetime_ms)
elseif more then
  redis.call('COPY', source, extra, 'REPLACE')
  redis.call('ZADD', extra, -1, marker)
  redis.call('PEXPIRE', extra, snapshot_lifetime_ms)
end
keep_alive(bounds)
return result
