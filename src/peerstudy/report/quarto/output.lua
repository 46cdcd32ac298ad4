-- output.lua: the format-specific part of the rendering, run on the document tree of
-- tree.lua for each output format: callouts (callouts.lua), the APA details
-- (apa.lua), and the two marks tree.lua leaves for every format to write its own way:
--   ::: {.ps-pagebreak} :::   {{< pagebreak >}}: a page break in DOCX, PDF and print
--   [Figure 1](#fig-x){.xref} a cross-reference: a link in HTML and DOCX, text in PDF
local chain = dofile(pandoc.path.join{pandoc.path.directory(PANDOC_SCRIPT_FILE), "chain.lua"})

local BREAK = {
  typst = function() return pandoc.RawBlock("typst", "#pagebreak()") end,
  html = function() return pandoc.RawBlock("html", '<div style="page-break-after: always;"></div>') end,
  docx = function() return pandoc.RawBlock("openxml", '<w:p><w:r><w:br w:type="page"/></w:r></w:p>') end,
}

local marks = {
  Div = function(div)
    if not div.classes:includes("ps-pagebreak") then return nil end
    local write = BREAK[FORMAT:match("html") and "html" or FORMAT]
    return write and write() or pandoc.Para{}
  end,
  Link = function(link)
    if link.classes:includes("xref") and not (FORMAT:match("html") or FORMAT == "docx") then
      return link.content
    end
  end,
}

return chain({"callouts.lua", "apa.lua"}, marks)
