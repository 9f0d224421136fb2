-- One page of a user's conversation list, pins, or the conversations of one mark, newest first.
-- Keys: the eighteen of lib/user_keys.lua, under the user's tag {u:user}; extra is the device's walk snapshot.
-- Guarantees: a first page with more to come copies the list into the device's snapshot, marked with the walk id
-- (one snapshot per device and list: a new walk replaces the last); later pages read the snapshot and renew it, so a
-- walk sees each conversation once while activity reorders the live list. Members that left the list since are
-- skipped (for a mark, also those that lost the mark: one ZMSCORE of marked), and a last message past retention is
-- left out. Entries are read with one multi-key command per field, so
-- a page costs about a dozen commands whatever its size (a first page one fewer: its range carries the scores). The
-- conversations of a mark are one score range of marked (lib/conversation_settings.lua), whose members are
-- 'mark|member', snapshot included. A user's own read keeps their keys alive (lib/user_lifetime.lua) and creates
-- none for an unused id.
-- Returns {walk_expired} for an unknown or replaced walk, else {ok, has more (0/1), then per entry the fields of
-- lib/conversation_entries.lua}.
--!include lib/status.lua
--!include lib/user_keys.lua
--!include lib/conversation_list.lua
--!include lib/conversation_entries.lua
--!include lib/conversation_settings.lua
--!include lib/user_lifetime.lua
local continues = ARGV[1] == 'continue'  -- else 'start'
local offset = number_arg(ARGV[2], 'offset')
local page_size = number_arg(ARGV[3], 'page_size')
local snapshot_lifetime_ms = decimal_arg(ARGV[4], 'snapshot_lifetime_ms')
local retention_floor = number_arg(ARGV[5], 'retention_floor')
local list = ARGV[6]                     -- 'pins', 'convs' or 'marked'
local walk_id = ARGV[7]
local bounds = bounds_arg(ARGV[8], 'bounds')  -- length:oldest:now:lifetime, see lib/user_lifetime.lua
local mark = number_arg(ARGV[9], 'mark')      -- for 'marked': the mark, 0 to 19

local by_mark = list == 'marked'
local source = list == 'pins' and pins or by_mark and marked or convs
local lowest, highest
if by_mark then lowest, highest = mark_range(mark) end
local marker = '#' .. walk_id
local count
if continues then
  if not redis.call('ZSCORE', extra, marker) then return {status.walk_expired} end
  count = redis.call('ZCARD', extra) - 1
elseif by_mark then
  count = redis.call('ZCOUNT', source, lowest, highest)
else
  count = redis.call('ZCARD', source)
end
local more = count > offset + page_size
-- The page is read whole before the snapshot and the keys' lifetime are written (lib/check.lua).
-- A first page reads the live list with its scores, which are then the entries' activity (or pin) times: one ZMSCORE
-- fewer. A later page reads the snapshot, whose scores are as they were when the walk began, so it reads both live.
local members, scores = {}, {}
if continues or by_mark then
  local read = continues and redis.call('ZREVRANGE', extra, offset, offset + page_size - 1)
    or redis.call('ZREVRANGEBYSCORE', source, highest, lowest, 'LIMIT', offset, page_size)
  local listed = {}
  for _, member in ipairs(read) do
    if string.sub(member, 1, 1) ~= '#' then listed[#listed + 1] = member end
  end
  -- A later page of a mark keeps only the conversations that still carry it: the snapshot is as the walk began.
  local still = continues and by_mark and #listed > 0 and redis.call('ZMSCORE', marked, unpack(listed))
  for i, member in ipairs(listed) do
    if not still or still[i] then
      members[#members + 1] = by_mark and string.match(member, '^%d+|(.*)$') or member
    end
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
  if continues or by_mark then
    activity = redis.call('ZMSCORE', convs, unpack(members))
    pinned = redis.call('ZMSCORE', pins, unpack(members))
  elseif list == 'pins' then
    activity = redis.call('ZMSCORE', convs, unpack(members))
    pinned = scores
  else
    activity = scores
    pinned = redis.call('ZMSCORE', pins, unpack(members))
  end
  append_entries(result, members, activity, pinned, retention_floor)
end

if continues then
  redis.call('PEXPIRE', extra, snapshot_lifetime_ms)
elseif more then
  if by_mark then
    redis.call('ZRANGESTORE', extra, source, lowest, highest, 'BYSCORE')
  else
    redis.call('COPY', source, extra, 'REPLACE')
  end
  redis.call('ZADD', extra, -1, marker)
  redis.call('PEXPIRE', extra, snapshot_lifetime_ms)
end
keep_alive(bounds)
return result
