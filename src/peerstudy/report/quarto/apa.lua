-- apa.lua: APA details pandoc does not do by itself.
--   ::: {.table-note}  the note under a table ("*Note.* ..."): smaller type in
--                      every format; the "Table Note" style in DOCX.

function Div(div)
  -- the reference list: hanging indent in the PDF (HTML's comes from apa.css, DOCX's from
  -- the reference document's Bibliography style)
  if div.identifier == "refs" and FORMAT == "typst" then
    -- the div stays (citeproc, which runs after the filters, fills it in place)
    return pandoc.Blocks{pandoc.RawBlock("typst",
      "#block[#set par(hanging-indent: 1.5em, first-line-indent: 0em, justify: false)"),
      div, pandoc.RawBlock("typst", "]")}
  end
  if div.classes:includes("table-float") and FORMAT == "typst" then
    return note_kept_with_table(div)
  end
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
  if FORMAT == "typst" then return nil end
  -- keywords under the abstract (the PDF layout prints them itself)
  if meta.keywords and meta.abstract then
    local words = {}
    for _, word in ipairs(meta.keywords) do table.insert(words, pandoc.utils.stringify(word)) end
    local abstract = pandoc.Blocks(pandoc.utils.type(meta.abstract) == "Blocks" and meta.abstract
                                   or {pandoc.Para(meta.abstract)})
    abstract:insert(pandoc.Para{pandoc.Emph{pandoc.Str("Keywords:")}, pandoc.Space(),
                                pandoc.Str(table.concat(words, ", "))})
    meta.abstract = pandoc.MetaBlocks(abstract)
  end
  if not meta.author then return meta end
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
-- at most a long cell's worth (120 characters), so that words are never split.
-- Widths are counted in average characters of table text; a capital letter ("RAS-R",
-- "SWLS") is about half as wide again as the average character.
local function text_width(text)
  local _, capitals = text:gsub("%u", "")
  return (utf8.len(text) or #text) + 0.5 * capitals
end

local function cell_lengths(cell)
  local text = pandoc.utils.stringify(cell.contents)
  local longest = 0
  for word in text:gmatch("%S+") do longest = math.max(longest, text_width(word)) end
  return longest, text_width(text), utf8.len(text) or #text
end

-- PDF: a short table (up to 15 rows of short cells) is kept on one page instead of
-- leaving a row or two on the next; longer ones, or ones with long text that may run
-- past a page, break normally, header repeated. (Typst cannot lay out a block taller
-- than a page, so keeping a tall table together would clip it.)
-- (``rows`` and ``longest``, the table's rows and its longest cell in characters, are
-- counted by proportional_widths, which reads every cell once.)
local function keep_together(tbl, rows, longest)
  if rows > 15 or longest > 40 then return nil end
  return pandoc.Blocks{pandoc.RawBlock("typst", "#block(breakable: false)["), tbl,
                       pandoc.RawBlock("typst", "]")}
end

-- Each column gets at least its longest word (so no word is ever split; a short body cell
-- of up to 22 characters is kept whole), and the rest
-- of the text width (about 95 characters of 9-point table text) in proportion to how
-- much longer its cells run. Returns the widths and whether the content needs more than
-- the text width.
local WIDTH = 95   -- A4 portrait; a landscape document (the supplement) sets 145
local function proportional_widths(tbl)
  local n = #tbl.colspecs
  local least, want = {}, {}
  local rows, longest_cell = 0, 0
  for i = 1, n do least[i], want[i] = 4, 4 end
  local function visit(list, body)
    rows = rows + #list
    for _, row in ipairs(list) do
      for i, cell in ipairs(row.cells) do
        local longest, total, chars = cell_lengths(cell)
        longest_cell = math.max(longest_cell, chars)
        if i <= n and cell.col_span == 1 then
          -- a short body cell ("2.29 (0.28)", "Hamburg") is never broken (headers may be)
          least[i] = math.max(least[i], ((body and total <= 22) and total or longest) + 2)
          want[i] = math.max(want[i], math.min(total + 2, 120))
        end
      end
    end
  end
  visit(tbl.head.rows, false)
  for _, body in ipairs(tbl.bodies) do visit(body.body, true) end
  local floor, extra = 0, 0
  for i = 1, n do
    floor = floor + least[i]
    extra = extra + math.max(0, want[i] - least[i])
  end
  local spare = math.max(0, WIDTH - floor)
  local widths, sum, wanted = {}, 0, 0
  for i = 1, n do wanted = wanted + want[i] end
  local crowded = floor + extra > WIDTH
  for i = 1, n do
    if crowded then
      -- more text than width: each column its share of all the text, never less than
      -- its longest word (a column of long sentences is not squeezed to its longest word)
      widths[i] = math.max(least[i], WIDTH * want[i] / wanted)
    else
      local share = extra > 0 and spare * math.max(0, want[i] - least[i]) / extra or 0
      widths[i] = least[i] + math.min(share, want[i] - least[i])
    end
    sum = sum + widths[i]
  end
  if crowded and sum > WIDTH and floor < WIDTH then
    -- give back the excess from the columns above their longest word, in proportion
    local above = sum - floor
    for i = 1, n do
      widths[i] = widths[i] - (sum - WIDTH) * (widths[i] - least[i]) / above
    end
    sum = WIDTH
  end
  return widths, sum, crowded, floor, rows, longest_cell
end

-- PDF: a table that fits on a page (up to 25 rows of short cells) is kept on one page
-- with its note: the note may not go on alone to the next page, where a figure that
-- floated to the top would stand between the two (the note read as the figure's).
function note_kept_with_table(div)
  local tbl = div.content[1]
  if #div.content < 2 or not tbl or tbl.t ~= "Table" then return nil end
  local _, _, _, _, rows, longest = proportional_widths(tbl)  -- its size, as counted there
  if rows > 25 or longest > 40 then return nil end
  return pandoc.Blocks{pandoc.RawBlock("typst", "#block(breakable: false)["), div,
                       pandoc.RawBlock("typst", "]")}
end

local function set_widths(tbl, widths, sum)
  for i = 1, #tbl.colspecs do
    tbl.colspecs[i] = {tbl.colspecs[i][1], widths[i] / sum}
  end
  return tbl
end

-- A table whose unbreakable content is wider than the text width ("T1–T2", "RAS-R",
-- "80.54 (9.73)" side by side in a dozen columns) is set in smaller type, down to 80% of
-- the table text, so that its cells need not break inside a word or a number.
local function scaled(blocks, floor)
  if floor <= WIDTH then return blocks end
  local factor = math.max(0.8, WIDTH / floor)
  local out = pandoc.Blocks{pandoc.RawBlock("typst", string.format(
    "#[#set text(size: %.2fem)", factor))}
  out:extend(blocks)
  out:insert(pandoc.RawBlock("typst", "]"))
  return out
end

local function table_layout(tbl)
  if FORMAT ~= "typst" and FORMAT ~= "docx" then return nil end  -- HTML: apa.css
  local widths, sum, crowded, floor, rows, longest = proportional_widths(tbl)
  if FORMAT == "typst" then
    -- a table whose content does not fit the text width: columns in proportion to their
    -- content (Typst's automatic columns squeeze the first, label column the most)
    if crowded then set_widths(tbl, widths, sum) end
    return scaled(keep_together(tbl, rows, longest) or pandoc.Blocks{tbl}, floor)
  end
  return set_widths(tbl, widths, sum)
end

-- Tables are laid out once the page is known: a landscape document (`landscape: true`,
-- the supplement) has about half as much width again as a portrait one.
function Pandoc(doc)
  if FORMAT ~= "typst" and FORMAT ~= "docx" then return nil end  -- no table to lay out
  if doc.meta.landscape == true then WIDTH = 145 end
  return doc:walk{Table = table_layout}
end
