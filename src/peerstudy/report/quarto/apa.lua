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
