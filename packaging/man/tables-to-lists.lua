-- pandoc Lua filter for the man pages (packaging/build): every table becomes a definition list, one entry per row.
-- The term is the first cell; the body lists the other cells as "header: value", except a last column headed
-- "meaning" (or "description"), which follows as its own paragraph. Four columns of prose do not fit an 80-column
-- terminal (tbl squeezes them and groff warns), and tbl's text blocks even hyphenate short key names.
local function header_texts(tbl)
  local texts = {}
  for i, cell in ipairs(tbl.head.rows[1].cells) do
    texts[i] = pandoc.utils.stringify(cell.contents)
  end
  return texts
end

function Table(tbl)
  if #tbl.head.rows ~= 1 then
    return nil
  end
  local headers = header_texts(tbl)
  if #headers < 2 then
    return nil
  end
  local prose = headers[#headers] == "meaning" or headers[#headers] == "description"
  local last_fact = prose and #headers - 1 or #headers
  local items = {}
  for _, body in ipairs(tbl.bodies) do
    for _, row in ipairs(body.body) do
      local cells = row.cells
      local term = pandoc.utils.blocks_to_inlines(cells[1].contents)
      local facts = pandoc.List()
      for i = 2, last_fact do
        if #facts > 0 then
          facts:insert(pandoc.Str(";"))
          facts:insert(pandoc.Space())
        end
        facts:insert(pandoc.Emph({ pandoc.Str(headers[i] .. ":") }))
        facts:insert(pandoc.Space())
        facts:extend(pandoc.utils.blocks_to_inlines(cells[i].contents))
      end
      local definition = pandoc.List()
      if #facts > 0 then
        facts:insert(pandoc.Str("."))
        definition:insert(pandoc.Para(facts))
      end
      if prose then
        definition:extend(cells[#cells].contents)
      end
      table.insert(items, { term, { definition } })
    end
  end
  return pandoc.DefinitionList(items)
end
