-- The outcome of an idempotent call, kept in its operation key (op:<method>:<clientOpId>, under the user's tag
-- {u:user}) by the call's final user-side script, in the same atomic step as the call's change: a retry whose first
-- attempt ran but whose reply was lost can then neither run the change again nor record another answer.
-- The key is the script's extra key (lib/user_keys.lua); window_ms, the idempotency window, is '' for a call without
-- a clientOpId, which stores nothing. Values (begin_operation.lua writes the claims):
--   'P<lease end, Redis ms>'  a call runs;
--   'Q<lease end, Redis ms>'  a call runs that resumes an earlier attempt whose lease ended without an outcome;
--   'S<reply, MessagePack>'   the final script ran: its reply, answered again to any repeat;
--   'R…', 'E…', 'C…'          the outcome the idempotency behaviour stored afterwards (the same answer, whole).
--!include lib/status.lua
--!include lib/user_keys.lua

-- The reply an earlier attempt's final script stored; {completed} when the behaviour stored the whole outcome since
-- (a repeat that raced the first call: it reads that outcome instead); nil when the call is to run.
local function stored_reply(window_ms)
  if window_ms == '' then return nil end
  local current = redis.call('GET', extra)
  if not current then return nil end
  local kind = string.sub(current, 1, 1)
  if kind == 'S' then return cmsgpack.unpack(string.sub(current, 2)) end
  if kind ~= 'P' and kind ~= 'Q' then return {status.completed} end
  return nil
end

-- Whether this call resumes an earlier attempt of the same operation, which may have done the steps before this one.
local function resuming(window_ms)
  if window_ms == '' then return false end
  local current = redis.call('GET', extra)
  return current ~= false and string.sub(current, 1, 1) == 'Q'
end

-- answer(reply, window_ms): keeps reply as the operation's outcome (for a call with a clientOpId) and returns it.
local function answer(reply, window_ms)
  if window_ms ~= '' then redis.call('SET', extra, 'S' .. cmsgpack.pack(reply), 'PX', window_ms) end
  return reply
end
