-- Recalls a message: the chat side. The message leaves the chat's history for everyone and its body is deleted, so
-- no page, lookup or stream replay can show it again; its id and position move to the chat's recalled set, so a
-- device paging with it as a cursor keeps its place and a second recall knows it is one.
-- Keys: the chat's, under its tag {s:a|b} or {g:group}; then the hidden set of each participant named, in the order
-- they are named (every member of a group, as the caller read them just before).
-- Guarantees: a group refuses a caller who is not a member; only the sender may recall, and only within the recall
-- window (by the message's position, a time the chat gave); every check that can fail (the stored values, the keys'
-- types, every participant's hidden set and watermark) runs before the first write, so a refused or failed call
-- writes nothing. A message recalled already is answered 'unchanged' with every participant's answer, at any time
-- (the window bounds the first recall only), and nothing is written here: the caller runs the user steps again,
-- which finishes a recall that stopped partway. A group whose members are not all named is answered 'keys_changed'
-- with the current members, and the caller calls again with them.
-- The candidates are read when this runs: a concurrent recall of the same chat may take one of them out before the
-- user step applies it, which apply_recall.lua notices (it answers stale) so that the caller calls this again, and
-- the repeat (the 'unchanged' path) answers candidates that are visible then.
-- Returns {not_a_member}, {not_found}, {not_sender}, {recall_window_passed}, {keys_changed, members...},
-- or {ok or unchanged, position, n, n candidate positions, n candidate blobs, n candidate msgIds,
-- then per participant: user id, index of their newest visible message among the candidates (0: none)}.
--!include lib/status.lua
--!include lib/tail.lua
--!include lib/walk.lua
--!include lib/check.lua
local messages_key = KEYS[1]
local bodies_key = KEYS[2]
local recalled_key = KEYS[3]
local watermarks_key = KEYS[4]
local members_key = KEYS[5]
local hidden_keys = tail(KEYS, 6)  -- the hidden set of each participant, in the order participants names them
local caller = ARGV[1]
local msg_id = ARGV[2]
local now_ms = number_arg(ARGV[3], 'now_ms')
local window_ms = number_arg(ARGV[4], 'window_ms')
local retention_floor = decimal_arg(ARGV[5], 'retention_floor')  -- position
local key_lifetime_ms = decimal_arg(ARGV[6], 'key_lifetime_ms')
local scan_cap = number_arg(ARGV[7], 'scan_cap')
local is_group = ARGV[8] == '1'
local participants = tail(ARGV, 9)  -- single chat: both users; group: the members as the caller read them

-- The participants to answer, each with the index of their hidden key: in a group, the current members only.
local answered = {}
if is_group then
  if redis.call('SISMEMBER', members_key, caller) == 0 then return {status.not_a_member} end
  local named = {}
  for i, user in ipairs(participants) do named[user] = i end
  local current = redis.call('SMEMBERS', members_key)
  for _, user in ipairs(current) do
    if not named[user] then
      local reply = {status.keys_changed}
      for _, member in ipairs(current) do reply[#reply + 1] = member end
      return reply
    end
  end
  local is_member = {}
  for _, user in ipairs(current) do is_member[user] = true end
  for i, user in ipairs(participants) do
    if is_member[user] then answered[#answered + 1] = {user, i} end
  end
else
  for i, user in ipairs(participants) do answered[#answered + 1] = {user, i} end
end

local outcome = status.ok
local position = redis.call('ZSCORE', messages_key, msg_id)
if position then
  local blob = redis.call('HGET', bodies_key, msg_id)
  if not blob then return {status.not_found} end
  local fields = cmsgpack.unpack(blob)
  if type(fields) ~= 'table' or fields[3] ~= caller then return {status.not_sender} end
  if now_ms - math.floor(tonumber(position) / 1024) > window_ms then return {status.recall_window_passed} end
  expect_type(recalled_key, 'zset', 'recalled')
else
  position = redis.call('ZSCORE', recalled_key, msg_id)
  if not position then return {status.not_found} end
  -- No window here: a repeat at any time answers every participant, so their steps (which change nothing twice)
  -- run again and finish a recall whose first attempt stopped partway.
  outcome = status.unchanged
end

-- Each participant's newest visible message once this one is gone, found before the first write (the walk reads
-- their watermark and hidden set, which checks both): two visible ones, in case the first is the one recalled.
local candidates, candidate_of, candidate_ids = {}, {}, {}
local index_of = {}
for _, participant in ipairs(answered) do
  local user, key = participant[1], hidden_keys[participant[2]]
  local found = walk(messages_key, key, true, '+inf', floor_of(watermarks_key, user, retention_floor), 2, scan_cap)
  local index = 0
  for i = 1, #found, 2 do
    if found[i] ~= msg_id then
      index = candidate_of[found[i]]
      if not index then
        candidates[#candidates + 1] = found[i + 1]
        candidate_ids[#candidate_ids + 1] = found[i]
        index = #candidates
        candidate_of[found[i]] = index
      end
      break
    end
  end
  index_of[#index_of + 1] = index
end
local blobs = #candidate_ids > 0 and redis.call('HMGET', bodies_key, unpack(candidate_ids)) or {}

if outcome == status.ok then
  redis.call('ZREM', messages_key, msg_id)
  redis.call('HDEL', bodies_key, msg_id)
  redis.call('ZADD', recalled_key, position, msg_id)
  redis.call('ZREMRANGEBYSCORE', recalled_key, '-inf', retention_floor)
  redis.call('PEXPIRE', recalled_key, key_lifetime_ms)
end

local reply = {outcome, position, #candidates}
for _, candidate in ipairs(candidates) do reply[#reply + 1] = candidate end
for i = 1, #candidates do reply[#reply + 1] = blobs[i] end
for _, candidate_id in ipairs(candidate_ids) do reply[#reply + 1] = candidate_id end
for i, participant in ipairs(answered) do
  reply[#reply + 1] = participant[1]
  reply[#reply + 1] = index_of[i]
end
return reply
