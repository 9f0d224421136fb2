-- Checks that keep a script whole. Redis does not undo what a script wrote before an error (a WRONGTYPE from
-- redis.call, arithmetic on a malformed value), so every script makes each check that can fail before its first
-- write, and either changes nothing or everything:
-- - its arguments, where it names its inputs (number_arg, decimal_arg, decimals_arg, window_arg; text_arg for one
--   that must only be given);
-- - the keys it reads, by reading them before writing (a read of a key of another type raises WRONGTYPE), and the
--   values it parses from them (stored_number);
-- - the keys it writes without reading them first, by their TYPE (expect_type: O(1); a missing key passes).
-- A failed check raises an error reply as Redis' own do, naming the input or the key's role, never a key or an id:
-- 'ERR argument <name> ...', 'ERR stored <name> ...' or 'WRONGTYPE <name> ...'.

local function refuse(message)
  error({err = message})
end

-- number_arg(value, name): an argument that must be a decimal integer, as a number.
local function number_arg(value, name)
  if not (value and string.match(value, '^%-?%d+$')) then refuse('ERR argument ' .. name .. ' is not an integer') end
  return tonumber(value)
end

-- decimal_arg(value, name): the same check, the value kept as it came (a position or a time in ms, which a script
-- passes on to Redis as written so that it stays exact).
local function decimal_arg(value, name)
  number_arg(value, name)
  return value
end

-- decimals_arg(values, name): every value of a variadic input, as decimal_arg.
local function decimals_arg(values, name)
  for _, value in ipairs(values) do number_arg(value, name) end
  return values
end

-- text_arg(value, name): an argument that must be given, whatever it holds ('' included).
local function text_arg(value, name)
  if not value then refuse('ERR argument ' .. name .. ' is missing') end
  return value
end

-- window_arg(value, name): an expiry in ms, or '' for none.
local function window_arg(value, name)
  if value == '' then return value end
  return decimal_arg(value, name)
end

-- stored_number(value, name): a value read from a key that must hold a decimal integer, as a number; nil when the
-- field or key is missing (false).
local function stored_number(value, name)
  if not value then return nil end
  if not string.match(value, '^%-?%d+$') then refuse('ERR stored ' .. name .. ' is not an integer') end
  return tonumber(value)
end

-- expect_type(key, expected, name): a key the script will write without reading it first holds expected ('hash',
-- 'zset', 'set', 'string') or nothing.
local function expect_type(key, expected, name)
  local actual = redis.call('TYPE', key)['ok']
  if actual ~= expected and actual ~= 'none' then refuse('WRONGTYPE ' .. name .. ' holds a ' .. actual .. ', not a ' .. expected) end
end
