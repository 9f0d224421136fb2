-- A user's settings of a conversation beyond pins and ext, and the index that pages conversations by mark (keys of
-- lib/user_keys.lua, tag {u:user}).
-- settings holds, per member, 'mute|unread|marks': mute is '' (not muted), '0' (muted without an end) or the Unix ms
-- the mute ends at; unread is '1' while the user marked the conversation unread, else ''; marks is the marks, 0 to
-- 19, ascending and comma-separated ('1,5'). A member with none of them has no field.
-- marked holds '<mark>|<member>' for every mark of every conversation, scored mark * 2^42 + the conversation's
-- activity, so one key pages any mark's conversations by activity, newest first, with a range of scores (activity in
-- Unix ms stays below 2^42 until 2109, and the largest score below 2^53, where a double is exact).
-- A stored value that does not parse reads as what parses of it: a setting is never worth failing a message for.
--!include lib/user_keys.lua
--!include lib/user_lifetime.lua

local mark_span = 4398046511104  -- 2^42

-- parse_settings(value): {mute = '' | '0' | ms, unread = bool, marks = {...}} of a stored value (nil or false: none).
local function parse_settings(value)
  local mute, unread, marks = string.match(value or '', '^([^|]*)|([^|]*)|(.*)$')
  local parsed = {mute = '', unread = false, marks = {}}
  if not mute then return parsed end
  if string.match(mute, '^%d+$') then parsed.mute = mute end
  parsed.unread = unread == '1'
  -- Ascending and each once, however the value was written, so it compares with what the caller read.
  local present = {}
  for mark in string.gmatch(marks, '%d+') do present[tonumber(mark)] = true end
  for mark = 0, 19 do
    if present[mark] then parsed.marks[#parsed.marks + 1] = mark end
  end
  return parsed
end

-- format_settings(parsed): the stored value, or nil when nothing is set.
local function format_settings(parsed)
  if parsed.mute == '' and not parsed.unread and #parsed.marks == 0 then return nil end
  return parsed.mute .. '|' .. (parsed.unread and '1' or '') .. '|' .. table.concat(parsed.marks, ',')
end

-- muted_at(parsed, now_ms): whether the mute holds at now_ms.
local function muted_at(parsed, now_ms)
  return parsed.mute == '0' or (parsed.mute ~= '' and tonumber(parsed.mute) > tonumber(now_ms))
end

-- write_settings(member, parsed, bounds): stores them, or removes the field when nothing is set. A mute that has
-- ended by the call's time (bounds, lib/user_lifetime.lua) goes, so an ended mute keeps no field alive.
local function write_settings(member, parsed, bounds)
  local _, _, now_ms = parse_bounds(bounds)
  if parsed.mute ~= '' and not muted_at(parsed, now_ms) then parsed.mute = '' end
  local value = format_settings(parsed)
  if value then
    if redis.call('HSET', settings, member, value) == 1 then may_have_created(settings) end
  else
    redis.call('HDEL', settings, member)
  end
end

local function mark_member(mark, member)
  return mark .. '|' .. member
end

-- index_marks(member, marks, activity): the member's entries of marked for marks, at its activity (only forward).
local function index_marks(member, marks, activity)
  for _, mark in ipairs(marks) do
    if redis.call('ZADD', marked, 'GT', string.format('%.0f', mark * mark_span + tonumber(activity)), mark_member(mark, member)) == 1 then
      may_have_created(marked)
    end
  end
end

-- unindex_marks(member, marks): the member's entries of marked for marks go.
local function unindex_marks(member, marks)
  for _, mark in ipairs(marks) do redis.call('ZREM', marked, mark_member(mark, member)) end
end

-- mark_range(mark): the lowest and highest score of the mark's entries in marked, as strings.
local function mark_range(mark)
  return string.format('%.0f', mark * mark_span), string.format('%.0f', (mark + 1) * mark_span - 1)
end
