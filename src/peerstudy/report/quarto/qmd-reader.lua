-- qmd-reader.lua: pandoc custom reader for the Quarto subset the manuscripts use.
--
-- Quarto reads .qmd in two stages, and so does this reader:
--   1. text level: `{{< include file >}}` is replaced by the file's text (paths
--      relative to the including file, recursively), and every other shortcode
--      `{{< name args >}}` (or escaped `{{{< ... >}}}`) is lexed into an opaque
--      token, so that pandoc's markdown parser keeps it whole;
--   2. tree level: tokens that landed in text become Span nodes of class
--      `ps-shortcode` (or `ps-shortcode-escaped`) holding the original
--      shortcode; tokens inside code, raw content, math, link targets, image
--      sources and attributes are turned back into their shortcode text, which
--      shortcodes.lua later resolves in "text" context, as Quarto does.
-- The shortcodes themselves are resolved by shortcodes.lua on the tree.

local TOKEN_OPEN = "PSSC7e1f"
local TOKEN_CLOSE = "f1e7CSSP"
local TOKEN_PATTERN = TOKEN_OPEN .. "(%x+)" .. TOKEN_CLOSE

local function to_hex(s)
  return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end

local function from_hex(h)
  return (h:gsub("..", function(cc) return string.char(tonumber(cc, 16)) end))
end

-- Find the next shortcode at or after `init`: returns start, stop, body, escaped.
-- `{{{< x >}}}` is an escaped shortcode (rendered literally as `{{< x >}}`).
local function next_shortcode(text, init)
  local s = text:find("{{<", init, true)
  if not s then return nil end
  local escaped = s > 1 and text:sub(s - 1, s - 1) == "{"
  local close = escaped and ">}}}" or ">}}"
  local e = text:find(close, s + 3, true)
  if not e then
    error("peerstudy-shortcode: unterminated shortcode starting '" ..
          text:sub(s, s + 40):gsub("\n", " ") .. "'")
  end
  local start = escaped and s - 1 or s
  return start, e + #close - 1, text:sub(s + 3, e - 1), escaped
end

local function first_word(body)
  return body:match("^%s*(%S+)")
end

local function include_arg(body)
  local arg = body:match("^%s*include%s+(.-)%s*$")
  if arg then arg = arg:gsub('^"(.*)"$', "%1"):gsub("^'(.*)'$", "%1") end
  return arg
end

local function dirname(path)
  return path:match("^(.*)/[^/]*$") or "."
end

local function read_file(path)
  local handle = io.open(path, "r")
  if not handle then
    error("peerstudy-include: included file '" .. path .. "' was not found")
  end
  local text = handle:read("a")
  handle:close()
  return text
end

-- Stage 1a: includes, at the text level and recursively (as Quarto does).
local function expand_includes(text, base, depth)
  if depth > 20 then error("peerstudy-include: includes nested more than 20 deep") end
  local out, pos = {}, 1
  while true do
    local s, e, body, escaped = next_shortcode(text, pos)
    if not s then break end
    table.insert(out, text:sub(pos, s - 1))
    if not escaped and first_word(body) == "include" then
      local path = include_arg(body)
      local full = path:sub(1, 1) == "/" and path or (base .. "/" .. path)
      local included = read_file(full)
      table.insert(out, expand_includes(included, dirname(full), depth + 1))
    else
      table.insert(out, text:sub(s, e))
    end
    pos = e + 1
  end
  table.insert(out, text:sub(pos))
  return table.concat(out)
end

-- Stage 1b: every remaining shortcode becomes an opaque token.
local function tokenize(text)
  local out, pos = {}, 1
  while true do
    local s, e = next_shortcode(text, pos)
    if not s then break end
    table.insert(out, text:sub(pos, s - 1))
    table.insert(out, TOKEN_OPEN .. to_hex(text:sub(s, e)) .. TOKEN_CLOSE)
    pos = e + 1
  end
  table.insert(out, text:sub(pos))
  return table.concat(out)
end

local function untokenize(text)
  return (text:gsub(TOKEN_PATTERN, from_hex))
end

-- A shortcode's source text -> the Span that shortcodes.lua resolves.
local function shortcode_span(raw)
  if raw:sub(1, 4) == "{{{<" then
    local literal = raw:sub(2, -2)
    return pandoc.Span({}, pandoc.Attr("", {"ps-shortcode-escaped"}, {{"data-value", literal}}))
  end
  return pandoc.Span({}, pandoc.Attr("", {"ps-shortcode"}, {{"data-raw", raw}}))
end

local function split_str(el)
  local text = el.text
  if not text:find(TOKEN_OPEN, 1, true) then return nil end
  local result, pos = pandoc.Inlines{}, 1
  while true do
    local s, e, hex = text:find(TOKEN_PATTERN, pos)
    if not s then
      if pos <= #text then result:insert(pandoc.Str(text:sub(pos))) end
      break
    end
    if s > pos then result:insert(pandoc.Str(text:sub(pos, s - 1))) end
    result:insert(shortcode_span(from_hex(hex)))
    pos = e + 1
  end
  return result
end

local function restore_attributes(el)
  for key, value in pairs(el.attributes) do
    if type(value) == "string" and value:find(TOKEN_OPEN, 1, true) then
      el.attributes[key] = untokenize(value)
    end
  end
  return el
end

local function restore_text(el)
  el.text = untokenize(el.text)
  return el
end

local function restored(doc)
  return doc:walk {
    Str = split_str,
    Code = restore_text,
    CodeBlock = function(el) return restore_attributes(restore_text(el)) end,
    RawInline = restore_text,
    RawBlock = restore_text,
    Math = restore_text,
    Header = restore_attributes,
    Div = restore_attributes,
    Span = restore_attributes,
    Link = function(el)
      el.target = untokenize(el.target)
      return restore_attributes(el)
    end,
    Image = function(el)
      el.src = untokenize(el.src)
      return restore_attributes(el)
    end,
  }
end

function Reader(input, opts)
  local text = tostring(input)
  local base = "."
  if #input > 0 and input[1].name and input[1].name ~= "" then
    base = dirname(input[1].name)
  end
  text = tokenize(expand_includes(text, base, 0))
  local doc = pandoc.read(text, "markdown", opts)
  return restored(doc)
end
