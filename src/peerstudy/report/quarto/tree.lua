-- tree.lua: the part of the rendering that is the same for every output format, run
-- once per document (its tree is then written to HTML, DOCX and Typst by output.lua):
-- shortcodes (shortcodes.lua), then cross-references (crossref.lua); pandoc's
-- citeproc runs after it.
local chain = dofile(pandoc.path.join{pandoc.path.directory(PANDOC_SCRIPT_FILE), "chain.lua"})
return chain{"shortcodes.lua", "crossref.lua"}
