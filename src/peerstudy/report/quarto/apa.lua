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
