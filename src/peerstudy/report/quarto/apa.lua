-- apa.lua: APA details pandoc does not do by itself.
--   ::: {.table-note}  the note under a table ("*Note.* ..."): smaller type in
--                      every format; the "Table Note" style in DOCX.

function Div(div)
  if not div.classes:includes("table-note") then return nil end
  if FORMAT == "docx" then
    div.attributes["custom-style"] = "Table Note"
    return div
  elseif FORMAT == "typst" then
    local out = pandoc.Blocks{pandoc.RawBlock("typst", "#block(above: 0.5em, below: 1.2em)[#set text(size: 0.85em)")}
    out:extend(div.content)
    out:insert(pandoc.RawBlock("typst", "]"))
    return out
  end
end

-- Authors as Quarto writes them (name, affiliation): the PDF layout reads the fields
-- itself; HTML and DOCX get one line per author, the affiliation in italics.
function Meta(meta)
  if FORMAT == "typst" or not meta.author then return nil end
  local authors = pandoc.List{}
  for _, author in ipairs(meta.author) do
    if type(author) == "table" and author.name then
      local line = pandoc.Inlines(author.name)
      local affiliation = author.affiliation or author.affiliations
      if affiliation then
        line:insert(pandoc.LineBreak())
        line:insert(pandoc.Emph(pandoc.utils.type(affiliation) == "List"
          and pandoc.Inlines(pandoc.utils.stringify(affiliation)) or affiliation))
      end
      authors:insert(pandoc.MetaInlines(line))
    else
      authors:insert(author)
    end
  end
  meta.author = authors
  return meta
end

-- DOCX tables: pandoc leaves column widths to the word processor when a table gives
-- none, and LibreOffice then squeezes columns until words break. Each column gets a
-- share of the text width in proportion to its content: at least its longest word,
-- at most a long cell's worth, so that words are never split.
local function cell_lengths(cell)
  local text = pandoc.utils.stringify(cell.contents)
  local longest = 0
  for word in text:gmatch("%S+") do longest = math.max(longest, utf8.len(word) or #word) end
  return longest, utf8.len(text) or #text
end

function Table(tbl)
  if FORMAT ~= "docx" then return nil end
  local n = #tbl.colspecs
  local need = {}
  for i = 1, n do need[i] = 3 end
  local function visit(rows)
    for _, row in ipairs(rows) do
      for i, cell in ipairs(row.cells) do
        if i <= n and cell.col_span == 1 then
          local longest, total = cell_lengths(cell)
          need[i] = math.max(need[i], longest + 1, math.min(total, 28))
        end
      end
    end
  end
  visit(tbl.head.rows)
  for _, body in ipairs(tbl.bodies) do visit(body.body) end
  local sum = 0
  for i = 1, n do sum = sum + need[i] end
  for i = 1, n do
    tbl.colspecs[i] = {tbl.colspecs[i][1], need[i] / sum}
  end
  return tbl
end
