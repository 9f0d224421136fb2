-- Sets a conversation's marks and appends the event, atomically, keeping the mark index in step.
-- Keys: the eighteen of lib/user_keys.lua, under the user's tag {u:user}.
-- Guarantees: the caller computed the new marks from the ones it read (expected); when the conversation's marks are
-- no longer those, it writes nothing and answers the marks there are, and the caller computes again. Refuses a
-- conversation the user does not have; marks that stay as they are write nothing and append no event. Each mark the
-- conversation gains enters marked at the conversation's activity, each it loses leaves it
-- (lib/conversation_settings.lua).
-- When it writes, it keeps the user's keys alive (lib/user_lifetime.lua). With a clientOpId its reply is the
-- operation's outcome, stored in the same step; a repeat gets that reply and changes nothing (lib/operation.lua).
-- Returns {not_found}, {keys_changed, the marks there are}, {unchanged, the marks} or {ok, {seq, epoch}, the event
-- as logged, the marks}; marks as lib/conversation_settings.lua stores them ('1,5').
--!include lib/status.lua
--!include lib/user_keys.lua
--!include lib/conversation_settings.lua
--!include lib/event_log.lua
--!include lib/operation.lua
local member = ARGV[1]
local expected = ARGV[2]            -- the marks the caller read, '1,5'
local wanted = ARGV[3]              -- the marks to set, '1,7'
local bounds = bounds_arg(ARGV[4], 'bounds')  -- length:oldest:now:lifetime, see lib/user_lifetime.lua
local event_blob = ARGV[5]          -- carries the marks to set
local operation_window_ms = window_arg(ARGV[6], 'operation_window_ms') -- '' without a clientOpId

local stored = stored_reply(operation_window_ms)
if stored then return stored end
local activity = redis.call('ZSCORE', convs, member)
if not activity then return answer({status.not_found}, operation_window_ms) end
local current = parse_settings(redis.call('HGET', settings, member))
local marks = table.concat(current.marks, ',')
-- Not stored as an answer: the caller calls again with what it reads here.
if marks ~= expected then return {status.keys_changed, marks} end
if marks == wanted then return answer({status.unchanged, marks}, operation_window_ms) end
check_stream()  -- before the first write (lib/check.lua)
expect_user_keys(marked)

local before, after = {}, {}
for _, mark in ipairs(current.marks) do before[mark] = true end
local added, removed = {}, {}
current.marks = {}
for mark in string.gmatch(wanted, '%d+') do
  local number = tonumber(mark)
  current.marks[#current.marks + 1] = number
  after[number] = true
  if not before[number] then added[#added + 1] = number end
end
for mark in pairs(before) do
  if not after[mark] then removed[#removed + 1] = mark end
end
write_settings(member, current, bounds)
unindex_marks(member, removed)
index_marks(member, added, activity)
local entry = append_event(event_blob, bounds)
keep_alive(bounds)
return answer({status.ok, entry, event_blob, wanted}, operation_window_ms)
