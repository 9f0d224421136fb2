-- The user's badge: unread messages, conversations with unread, and unread messages outside muted conversations.
-- Keys: the eighteen of lib/user_keys.lua, under the user's tag {u:user}.
-- Guarantees: reads only, and no more than the badge and the conversations that have settings (mute, an unread mark,
-- marks: lib/conversation_settings.lua), whatever the length of the list. A mute counts while it holds at now_ms;
-- a conversation marked unread that has no unread messages counts as one with unread.
-- Returns {ok, total, conversations with unread, total outside muted conversations}.
--!include lib/status.lua
--!include lib/user_keys.lua
--!include lib/conversation_settings.lua
local now_ms = decimal_arg(ARGV[1], 'now_ms')
local slice = 1000  -- members per HMGET

local summary = redis.call('HMGET', unread_summary, 'total', 'conversations')
local total = stored_number(summary[1], 'unread-summary total') or 0
local conversations = stored_number(summary[2], 'unread-summary conversations') or 0
local muted_unread = 0
local all_settings = redis.call('HGETALL', settings)
if #all_settings > 0 then
  local members, parsed = {}, {}
  for i = 1, #all_settings, 2 do
    members[#members + 1] = all_settings[i]
    parsed[#parsed + 1] = parse_settings(all_settings[i + 1])
  end
  -- In slices, as unpack() stops at about 8000 values (lib/tail.lua) and a user may set every conversation.
  local counts = {}
  for first = 1, #members, slice do
    local read = redis.call('HMGET', unread_counts, unpack(members, first, math.min(first + slice - 1, #members)))
    for _, count in ipairs(read) do counts[#counts + 1] = count end
  end
  for i, setting in ipairs(parsed) do
    local count = tonumber(counts[i] or '0') or 0
    if muted_at(setting, now_ms) then muted_unread = muted_unread + count end
    if setting.unread and count == 0 then conversations = conversations + 1 end
  end
end
return {status.ok, total, conversations, total - muted_unread}
