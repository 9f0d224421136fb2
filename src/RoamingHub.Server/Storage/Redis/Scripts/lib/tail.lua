-- tail(list, first): list[first..] as a new table. Scripts name their variadic inputs with it rather than with
-- unpack(), which stops at about 8000 values, fewer than a large group or list can hold.
local function tail(list, first)
  local items = {}
  for i = first, #list do items[#items + 1] = list[i] end
  return items
end
