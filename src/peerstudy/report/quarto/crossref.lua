-- crossref.lua: Quarto's cross-references on the document tree.
--
-- Floats (numbered in order of appearance, figures and tables separately):
--   ![caption](file.png){#fig-id}           a figure
--   table + ": caption {#tbl-id}"           a table
--   ::: {#fig-id} / ::: {#tbl-id}           a div whose last paragraph is
--   content ... caption :::                 the caption (Quarto's div syntax)
-- Captions read "Figure 1: caption" / "Table 1: caption" (Quarto's default
-- title delimiter). Sections with ids `sec-*` can be referenced too (numbered
-- as pandoc numbers them when `number-sections` is set).
-- References, as Quarto writes them: @fig-id -> "Figure 1", @Fig-id ->
-- "Figure 1" at a sentence start, [-@fig-id] -> "1", [see @fig-a; @fig-b]
-- -> "see Figure 1, Figure 2"; linked to the float in HTML and DOCX.
-- `@fig-id` inside code is code, not a reference. A reference to a label
-- that does not exist stops the build (Quarto prints "?@fig-id").

local PREFIX = {fig = "Figure", tbl = "Table", sec = "Section"}
local entries = {}          -- label -> {kind, number}
local counters = {fig = 0, tbl = 0}
local missing = {}

local function kind_of(label)
  local kind = label:match("^(%a+)%-")
  if kind and PREFIX[kind:lower()] then return kind:lower() end
  return nil
end

local function register(label, kind)
  if entries[label] then error("peerstudy-crossref: label '" .. label .. "' is used twice") end
  counters[kind] = counters[kind] + 1
  entries[label] = {kind = kind, number = tostring(counters[kind])}
  return entries[label].number
end

local function caption_prefix(kind, number)
  return pandoc.Inlines{pandoc.Str(PREFIX[kind]), pandoc.Space(),
                        pandoc.Str(number .. ":"), pandoc.Space()}
end

local function prefixed_caption(caption_blocks, kind, number)
  local inlines = pandoc.utils.blocks_to_inlines(caption_blocks)
  local out = caption_prefix(kind, number)
  out:extend(inlines)
  return out
end

-- A table float: number it and write the caption into the Table itself.
local function number_table(tbl, label, caption_blocks)
  local number = register(label, "tbl")
  tbl.identifier = label
  tbl.caption = pandoc.Caption(pandoc.Blocks{pandoc.Plain(prefixed_caption(caption_blocks, "tbl", number))})
  return tbl
end

local function last_para_index(blocks)
  for i = #blocks, 1, -1 do
    local t = blocks[i].t
    if t == "Para" or t == "Plain" then return i end
    if t ~= "Null" then return nil end
  end
  return nil
end

local function float_div(div)
  local kind = kind_of(div.identifier)
  if kind ~= "fig" and kind ~= "tbl" then return nil end
  local content = pandoc.Blocks(div.content)
  local at = last_para_index(content)
  local caption = pandoc.Blocks{}
  if at then
    caption = pandoc.Blocks{content[at]}
    content:remove(at)
  end
  local label = div.identifier
  if kind == "tbl" then
    for i, block in ipairs(content) do
      if block.t == "Table" then
        content[i] = number_table(block, label, caption)
        return pandoc.Div(content, pandoc.Attr("", {"table-float"}))
      end
    end
    error("peerstudy-crossref: div #" .. label .. " holds no table")
  end
  local number = register(label, "fig")
  return pandoc.Figure(content, pandoc.Caption(pandoc.Blocks{
    pandoc.Plain(prefixed_caption(caption, "fig", number))}), pandoc.Attr(label))
end

local function number_floats(blocks)
  return blocks:walk {
    traverse = "topdown",
    Div = function(div)
      local out = float_div(div)
      if out then return out, false end
    end,
    Figure = function(fig)
      if kind_of(fig.identifier) ~= "fig" then return nil end
      local number = register(fig.identifier, "fig")
      fig.caption = pandoc.Caption(pandoc.Blocks{
        pandoc.Plain(prefixed_caption(fig.caption.long, "fig", number))})
      return fig, false
    end,
    Table = function(tbl)
      if kind_of(tbl.identifier) ~= "tbl" then return nil end
      return number_table(tbl, tbl.identifier, tbl.caption.long), false
    end,
  }
end

local function number_sections(blocks, numbered)
  local levels = {0, 0, 0, 0, 0, 0}
  for _, block in ipairs(blocks) do
    if block.t == "Header" and not block.classes:includes("unnumbered") then
      levels[block.level] = levels[block.level] + 1
      for l = block.level + 1, 6 do levels[l] = 0 end
      if kind_of(block.identifier) == "sec" then
        local parts = {}
        for l = 1, block.level do table.insert(parts, tostring(levels[l])) end
        entries[block.identifier] = {kind = "sec", number = table.concat(parts, "."),
                                     numbered = numbered}
      end
    end
  end
end

local function reference(citation)
  local label = citation.id
  local lower = label:sub(1, 1):lower() .. label:sub(2)
  local kind = kind_of(lower)
  local entry = entries[lower]
  if not entry then
    table.insert(missing, "@" .. label)
    return pandoc.Inlines{pandoc.Strong(pandoc.Str("?@" .. label))}
  end
  -- "Figure 1"; a prefix of the citation replaces "Figure" ([Fig. @fig-x]), and
  -- [-@fig-x] (SuppressAuthor) leaves the number alone, as in Quarto
  local text = pandoc.Inlines{}
  if #citation.prefix > 0 then
    text:extend(citation.prefix)
    text:insert(pandoc.Space())
    text:insert(pandoc.Str(entry.number))
  elseif citation.mode ~= "SuppressAuthor" then
    text:insert(pandoc.Str(PREFIX[kind] .. "\u{00A0}" .. entry.number))
  else
    text:insert(pandoc.Str(entry.number))
  end
  if #citation.suffix > 0 then text:extend(citation.suffix) end
  -- a link in HTML and DOCX, plain text in the PDF (output.lua)
  return pandoc.Inlines{pandoc.Link(text, "#" .. lower, "", pandoc.Attr("", {"xref"}))}
end

local function resolve_cite(cite)
  local refs, others = pandoc.Inlines{}, pandoc.List{}
  for _, citation in ipairs(cite.citations) do
    if kind_of(citation.id:sub(1, 1):lower() .. citation.id:sub(2)) then
      if #refs > 0 then refs:extend{pandoc.Str(","), pandoc.Space()} end
      refs:extend(reference(citation))
    else
      others:insert(citation)
    end
  end
  if #refs == 0 then return nil end
  if #others > 0 then
    error("peerstudy-crossref: a citation mixes cross-references and bibliography keys: " ..
          pandoc.utils.stringify(cite.content))
  end
  return refs
end

function Pandoc(doc)
  local numbered = doc.meta["number-sections"] == true
  doc.blocks = number_floats(doc.blocks)
  number_sections(doc.blocks, numbered)
  doc.blocks = doc.blocks:walk {Cite = resolve_cite}
  if #missing > 0 then
    error("peerstudy-crossref-missing:" .. table.concat(missing, ","))
  end
  return doc
end
