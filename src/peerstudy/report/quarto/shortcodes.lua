-- shortcodes.lua: resolves the shortcodes qmd-reader.lua left in the tree.
--
-- Supported, with Quarto's semantics:
--   {{< var key.sub >}}   a value from _variables.yml (read from the working
--                         directory, as Quarto reads the project's file);
--                         strings there are markdown, so "*p* = .04" renders
--                         with an italic p
--   {{< meta key.sub >}}  a value from the document's metadata
--   {{< env NAME [default] >}}
--   {{< pagebreak >}}
--   {{{< ... >}}}         escaped: printed literally as {{< ... >}}
-- Contexts: a shortcode alone in a paragraph is a block (block values stay
-- blocks); inside text it is inline (a block value is flattened to inlines);
-- inside code, raw content, math, link targets and attributes it is text
-- (the value's plain text).
-- An unknown var or meta key is an error: every one is listed, and the build
-- stops (peerstudy adds the closest existing key to the message).

local variables = nil
local metadata = nil
local unknown = {}
local collecting = nil  -- while used_keys() walks the document: the var keys met

-- _variables.yml as peerstudy writes it (a nested mapping, one key per line, every
-- value a one-line scalar): {key = raw scalar text or sub-table}; nil for any other
-- YAML (comments, lists, multi-line values, anchors), which is then read whole.
local function simple_tree(text)
  local root = {}
  local stack = {{indent = -1, node = root}}
  local leaf_indent = nil
  for line in text:gmatch("([^\n]*)\n?") do
    if line ~= "" then
      local indent, key, rest = line:match("^( *)([%w_%-]+):(.*)$")
      if not indent then
        indent, key, rest = line:match("^( *)'([^']*)':(.*)$")
      end
      if not indent then return nil end
      if leaf_indent and #indent > leaf_indent then return nil end  -- a continued value
      while stack[#stack].indent >= #indent do table.remove(stack) end
      local parent = stack[#stack].node
      if type(parent) ~= "table" or parent[key] ~= nil then return nil end
      if rest == "" then
        parent[key] = {}
        table.insert(stack, {indent = #indent, node = parent[key]})
        leaf_indent = nil
      elseif rest:sub(1, 1) == " " and not rest:match("^ +[&*]") then
        -- (an anchor or alias could refer to a value left out: such files are read whole)
        parent[key] = rest:sub(2)
        leaf_indent = #indent
      else
        return nil
      end
    end
  end
  return root
end

-- YAML text of the named keys only (a key naming a map keeps the whole map).
local function subset_yaml(tree, keys)
  local picked = {}
  for key in pairs(keys) do
    local node, into, parts = tree, picked, {}
    for part in key:gmatch("[^%.]+") do table.insert(parts, part) end
    for i, part in ipairs(parts) do
      if type(node) ~= "table" or node[part] == nil then break end
      node = node[part]
      if i == #parts or type(node) ~= "table" then
        into[part] = node
        break
      end
      into[part] = type(into[part]) == "table" and into[part] or {}
      into = into[part]
    end
  end
  local lines = {}
  local function emit(node, indent)
    local names = {}
    for name in pairs(node) do table.insert(names, name) end
    table.sort(names)
    for _, name in ipairs(names) do
      local value = node[name]
      if type(value) == "table" then
        table.insert(lines, indent .. "'" .. name .. "':")
        emit(value, indent .. "  ")
      else
        table.insert(lines, indent .. "'" .. name .. "': " .. value)
      end
    end
  end
  emit(picked, "")
  return table.concat(lines, "\n")
end

-- The values the document uses. Each value is markdown that pandoc parses, which is
-- most of the cost of reading a long _variables.yml: only the keys that a shortcode of
-- this document names (`used`) are parsed, when the file has the simple form above.
local function load_variables(used)
  local handle = io.open("_variables.yml", "r")
  if not handle then return {} end
  local text = handle:read("a")
  handle:close()
  local tree = used and simple_tree(text)
  if tree then
    if next(used) == nil then return {} end
    text = subset_yaml(tree, used)
  end
  local doc = pandoc.read("---\n" .. text .. "\n---\n", "markdown")
  return doc.meta
end

local function lookup(root, key)
  local node = root
  for part in key:gmatch("[^%.]+") do
    if type(node) ~= "table" or pandoc.utils.type(node) == "Inlines"
        or pandoc.utils.type(node) == "Blocks" then
      return nil
    end
    node = node[part]
    if node == nil then return nil end
  end
  return node
end

-- Split the shortcode's body into words; quoted strings are one word.
local function parse_args(raw)
  local body = raw:match("^{{<%s*(.-)%s*>}}$") or ""
  local args, pos = {}, 1
  while pos <= #body do
    local c = body:sub(pos, pos)
    if c:match("%s") then
      pos = pos + 1
    elseif c == '"' or c == "'" then
      local e = body:find(c, pos + 1, true) or (#body + 1)
      table.insert(args, body:sub(pos + 1, e - 1))
      pos = e + 1
    else
      local e = body:find("%s", pos) or (#body + 1)
      table.insert(args, body:sub(pos, e - 1))
      pos = e
    end
  end
  return args
end

local function as_inlines(value)
  local kind = pandoc.utils.type(value)
  if kind == "Inlines" then return value end
  if kind == "Blocks" then return pandoc.utils.blocks_to_inlines(value) end
  if kind == "List" and #value == 1 then return as_inlines(value[1]) end
  if kind == "boolean" or kind == "number" or kind == "string" then
    return pandoc.Inlines{pandoc.Str(tostring(value))}
  end
  if kind == "List" and #value == 0 then return pandoc.Inlines{} end
  error("peerstudy-shortcode: a list or map value cannot be printed (" .. kind .. ")")
end

local function as_blocks(value)
  local kind = pandoc.utils.type(value)
  if kind == "Blocks" then return value end
  if kind == "List" and #value == 1 then return as_blocks(value[1]) end
  return pandoc.Blocks{pandoc.Plain(as_inlines(value))}
end

local function resolve(raw, context)
  local args = parse_args(raw)
  local name = args[1]
  if collecting then
    if name == "var" and args[2] then collecting[args[2]] = true end
    return context == "block" and pandoc.Blocks{} or pandoc.Inlines{}
  end
  if name == "var" or name == "meta" then
    local key = args[2] or ""
    local root = name == "var" and variables or metadata
    local value = lookup(root, key)
    if value == nil then
      table.insert(unknown, name .. ":" .. key)
      return pandoc.Inlines{pandoc.Strong(pandoc.Str("?" .. name .. ":" .. key))}
    end
    if context == "block" then return as_blocks(value) end
    return as_inlines(value)
  elseif name == "env" then
    local value = os.getenv(args[2] or "") or args[3]
    if value == nil then
      table.insert(unknown, "env:" .. (args[2] or ""))
      value = "?env:" .. (args[2] or "")
    end
    return pandoc.Inlines{pandoc.Str(value)}
  elseif name == "pagebreak" then
    -- written per output format by formats.lua (this tree serves every format)
    return pandoc.Blocks{pandoc.Div({}, pandoc.Attr("", {"ps-pagebreak"}))}
  end
  error("peerstudy-shortcode: unknown shortcode '" .. tostring(name) .. "' in " .. raw)
end

-- Text context: the plain text of each shortcode in a string.
local function resolve_text(text)
  if not text:find("{{<", 1, true) then return text end
  local out, pos = {}, 1
  while true do
    local s = text:find("{{<", pos, true)
    if not s then break end
    local escaped = s > 1 and text:sub(s - 1, s - 1) == "{"
    local close = escaped and ">}}}" or ">}}"
    local e = text:find(close, s + 3, true)
    if not e then break end
    local start = escaped and s - 1 or s
    table.insert(out, text:sub(pos, start - 1))
    if escaped then
      table.insert(out, text:sub(s, e + 2))
    else
      local value = resolve(text:sub(s, e + 2), "text")
      table.insert(out, pandoc.utils.stringify(value))
    end
    pos = e + #close
  end
  table.insert(out, text:sub(pos))
  return table.concat(out)
end

local function is_shortcode(el)
  return el.t == "Span" and (el.classes:includes("ps-shortcode")
    or el.classes:includes("ps-shortcode-escaped"))
end

local function inline_value(el)
  if el.classes:includes("ps-shortcode-escaped") then
    return pandoc.Inlines{pandoc.Str(el.attributes["data-value"])}
  end
  return resolve(el.attributes["data-raw"], "inline")
end

local function text_attrs(el)
  for key, value in pairs(el.attributes) do
    if type(value) == "string" then el.attributes[key] = resolve_text(value) end
  end
  return el
end

local function text_field(field)
  return function(el)
    el[field] = resolve_text(el[field])
    return el
  end
end

local block_filter = {
  Para = function(el)
    if #el.content == 1 and is_shortcode(el.content[1]) then
      local span = el.content[1]
      if span.classes:includes("ps-shortcode-escaped") then
        return pandoc.Para(inline_value(span))
      end
      return resolve(span.attributes["data-raw"], "block")
    end
  end,
}
block_filter.Plain = block_filter.Para

local inline_filter = {
  Span = function(el)
    if is_shortcode(el) then return inline_value(el) end
    return text_attrs(el)
  end,
  Code = text_field("text"),
  CodeBlock = function(el) return text_attrs(text_field("text")(el)) end,
  RawInline = text_field("text"),
  RawBlock = text_field("text"),
  Math = text_field("text"),
  Link = function(el) return text_attrs(text_field("target")(el)) end,
  Image = function(el) return text_attrs(text_field("src")(el)) end,
  Header = text_attrs,
  Div = text_attrs,
}

local function walk_meta(meta)
  local out = {}
  for key, value in pairs(meta) do
    local kind = pandoc.utils.type(value)
    if kind == "Inlines" then
      out[key] = pandoc.Inlines(value):walk(inline_filter)
    elseif kind == "Blocks" then
      out[key] = pandoc.Blocks(value):walk(block_filter):walk(inline_filter)
    elseif kind == "List" then
      local list = pandoc.List{}
      for i, item in ipairs(value) do
        local wrapped = walk_meta({x = item})
        list[i] = wrapped.x
      end
      out[key] = list
    elseif kind == "table" or kind == "Meta" then
      out[key] = walk_meta(value)
    else
      out[key] = value
    end
  end
  return out
end

-- Every key a var shortcode of the document names, found by the same walks that resolve
-- them (text contexts included) with resolve() only recording keys; walks return a copy,
-- so the document is left as it is.
local function used_keys(doc)
  collecting = {}
  walk_meta(doc.meta)
  doc.blocks:walk(block_filter):walk(inline_filter)
  local keys = collecting
  collecting = nil
  return keys
end

function Pandoc(doc)
  variables = load_variables(used_keys(doc))
  metadata = doc.meta
  doc.meta = walk_meta(doc.meta)
  local blocks = doc.blocks:walk(block_filter):walk(inline_filter)
  if #unknown > 0 then
    error("peerstudy-unknown-keys:" .. table.concat(unknown, ","))
  end
  return pandoc.Pandoc(blocks, doc.meta)
end
