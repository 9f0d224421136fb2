-- Reads conversation entries as the lists show them (keys of lib/user_keys.lua, tag {u:user}): one multi-key read
-- per field, whatever the number of members.
--!include lib/user_keys.lua
--!include lib/conversation_list.lua

-- The fields of each entry append_entries adds to a reply.
local fields_per_entry = 9

-- append_entries(result, members, activity, pinned, retention_floor): appends to result, per member still listed
-- (activity[i] not false): member, activity, created, pin time or false, last message or false (one past the
-- retention floor left out), unread count, peer read time or false, ext or false, settings or false.
local function append_entries(result, members, activity, pinned, retention_floor)
  if #members == 0 then return result end
  local created_at = redis.call('HMGET', created, unpack(members))
  local messages = redis.call('HMGET', last, unpack(members))
  local unread_at = redis.call('HMGET', unread_counts, unpack(members))
  local peer_read = redis.call('HMGET', peer_reads, unpack(members))
  local ext_of = redis.call('HMGET', exts, unpack(members))
  -- Most users never mute, mark or mark unread: without a settings key one EXISTS replaces the page's HMGET (a
  -- few µs of Lua per page); a user with settings pays the EXISTS on top.
  local settings_of = redis.call('EXISTS', settings) == 1 and redis.call('HMGET', settings, unpack(members)) or {}
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
      result[#result + 1] = settings_of[i] or false
    end
  end
  return result
end
