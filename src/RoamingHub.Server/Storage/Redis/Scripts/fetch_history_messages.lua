-- A page of a chat's history as one user sees it.
-- Keys: the chat's, under its tag {s:a|b} or {g:group}.
-- Guarantees: a group refuses a reader who is not a member; hidden ids and everything at or below max(watermark,
-- retention floor) are skipped; a call looks at no more than scan_cap entries, and when that stops a walk through
-- many hidden messages the cursor is the last id it looked at, so the client goes on from there. A cursor naming a
-- message recalled since the page that gave it keeps its place (by the position the recalled set keeps).
-- Returns {not_a_member}, {unknown_cursor}, or {ok, next cursor or false, then per message: position, blob}
-- (the blob holds the id).
--!include lib/status.lua
--!include lib/walk.lua
--!include lib/check.lua
local messages_key = KEYS[1]
local bodies_key = KEYS[2]
local watermarks_key = KEYS[3]
local hidden_key = KEYS[4]      -- the reader's hidden ids
local members_key = KEYS[5]
local recalled_key = KEYS[6]
local user = ARGV[1]
local older = ARGV[2] == 'up'
local cursor = ARGV[3]          -- msgId the page starts after; '' for the first page
local page_size = number_arg(ARGV[4], 'page_size')
local retention_floor = decimal_arg(ARGV[5], 'retention_floor') -- position
local scan_cap = number_arg(ARGV[6], 'scan_cap')
local is_group = ARGV[7] == '1'

if is_group and redis.call('SISMEMBER', members_key, user) == 0 then return {status.not_a_member} end
local floor = floor_of(watermarks_key, user, retention_floor)
local bound
if cursor ~= '' then
  local position = redis.call('ZSCORE', messages_key, cursor) or redis.call('ZSCORE', recalled_key, cursor)
  if not position then return {status.unknown_cursor} end
  if older then
    bound = '(' .. position
  else
    bound = '(' .. string.format('%.0f', math.max(tonumber(position), tonumber(floor)))
  end
else
  bound = older and '+inf' or '(' .. floor
end
local found, scanned, last_scanned = walk(messages_key, hidden_key, older, bound, floor, page_size + 1, scan_cap)
local count = math.min(#found / 2, page_size)
local result = {status.ok, false}
if #found / 2 > page_size then
  result[2] = found[2 * page_size - 1]
elseif scanned >= scan_cap and last_scanned then
  result[2] = last_scanned
end
if count == 0 then return result end
local ids = {}
for i = 1, count do ids[i] = found[2 * i - 1] end
local blobs = redis.call('HMGET', bodies_key, unpack(ids))
for i = 1, count do
  result[#result + 1] = found[2 * i]
  result[#result + 1] = blobs[i]
end
return result
