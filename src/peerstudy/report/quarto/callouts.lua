-- callouts.lua: Quarto's callout blocks on the document tree.
--
--   ::: {.callout-note}            types: note, tip, important, warning, caution
--   ## Optional title              (or title="..." on the div)
--   Body.
--   :::
-- HTML: a bordered box with its title; PDF (Typst): a block with a coloured
-- left rule; DOCX: paragraphs in the reference document's "Callout" style.

local TITLES = {note = "Note", tip = "Tip", important = "Important",
                warning = "Warning", caution = "Caution"}
local COLOURS = {note = "#0072B2", tip = "#009E73", important = "#D55E00",
                 warning = "#E69F00", caution = "#CC79A7"}

local function callout_type(div)
  for _, class in ipairs(div.classes) do
    local kind = class:match("^callout%-(%a+)$")
    if kind and TITLES[kind] then return kind end
  end
  return nil
end

local function split_title(div, kind)
  local content = pandoc.Blocks(div.content)
  local title = div.attributes["title"] and pandoc.Inlines{pandoc.Str(div.attributes["title"])}
  if not title and content[1] and content[1].t == "Header" then
    title = content[1].content
    content:remove(1)
  end
  return title or pandoc.Inlines{pandoc.Str(TITLES[kind])}, content
end

function Div(div)
  local kind = callout_type(div)
  if not kind then return nil end
  local title, body = split_title(div, kind)
  if FORMAT:match("html") then
    local out = pandoc.Blocks{pandoc.Div(pandoc.Blocks{pandoc.Plain(title)},
                                         pandoc.Attr("", {"callout-title"}))}
    out:insert(pandoc.Div(body, pandoc.Attr("", {"callout-body"})))
    return pandoc.Div(out, pandoc.Attr(div.identifier, {"callout", "callout-" .. kind}))
  elseif FORMAT == "typst" then
    local out = pandoc.Blocks{pandoc.RawBlock("typst",
      '#block(width: 100%, inset: (left: 10pt, rest: 8pt), breakable: true, ' ..
      'stroke: (left: 3pt + rgb("' .. COLOURS[kind] .. '")), fill: rgb("' ..
      COLOURS[kind] .. '").lighten(92%))[')}
    out:insert(pandoc.Para{pandoc.Strong(title)})
    out:extend(body)
    out:insert(pandoc.RawBlock("typst", "]"))
    return out
  elseif FORMAT == "docx" then
    local out = pandoc.Blocks{pandoc.Para{pandoc.Strong(title)}}
    out:extend(body)
    return pandoc.Div(out, pandoc.Attr(div.identifier, {}, {{"custom-style", "Callout"}}))
  end
  local out = pandoc.Blocks{pandoc.Para{pandoc.Strong(title)}}
  out:extend(body)
  return pandoc.Div(out, pandoc.Attr(div.identifier))
end
