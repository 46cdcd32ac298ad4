-- chain.lua: runs several filter files on the document in one pass through Lua.
--
-- pandoc hands the whole document to Lua and takes it back once per filter file;
-- on a long document (the supplement's hundreds of table rows) that costs more than
-- the filters' own work. A driver (tree.lua, output.lua) lists the files; each file
-- runs in its own environment, exactly as if pandoc had run it, in the given order.

return function(names, extra)
  local dir = pandoc.path.directory(PANDOC_SCRIPT_FILE)
  local filters = {}
  for _, name in ipairs(names) do
    local env = setmetatable({}, {__index = _G})
    local chunk = assert(loadfile(pandoc.path.join{dir, name}, "t", env))
    local returned = chunk()
    local filter = {}
    -- a filter file defines global functions (Div, Meta, Pandoc, ...) or returns a filter
    for key, value in pairs(type(returned) == "table" and returned or env) do
      if type(value) == "function" or key == "traverse" then filter[key] = value end
    end
    table.insert(filters, filter)
  end
  if extra then table.insert(filters, extra) end
  return {{Pandoc = function(doc)
    for _, filter in ipairs(filters) do doc = doc:walk(filter) end
    return doc
  end}}
end
