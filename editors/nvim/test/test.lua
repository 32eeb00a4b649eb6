-- End-to-end test of marginalia in a real Neovim, run by editors/nvim/test/run.sh:
--
--   nvim --headless --clean -c 'luafile editors/nvim/test/test.lua'
--
-- with these environment variables:
--   MARGINALIA_TEST_MODE   how the server is started, as a user would:
--                          `enable`        Neovim 0.11+: editors/nvim on 'runtimepath' and
--                                          vim.lsp.enable('marginalia') (the shipped lsp/marginalia.lua)
--                          `snippet`       the README's snippet (file MARGINALIA_TEST_SNIPPET),
--                                          sourced before the seed is opened
--   MARGINALIA_TEST_SNIPPET the snippet file for `snippet`
--   MARGINALIA_TEST_LABEL  the name of this run in the summary line
--   MARGINALIA_TEST_REPO   the repository root
--   MARGINALIA_TEST_SERVER the server binary under test (also first on $PATH as `marginalia`)
--
-- It must run on Neovim 0.7.2 (Debian) as well as on 0.11+, so it only uses APIs that both
-- have, through the small shims below. Prints one line per check, then `N passed, N failed`;
-- exits non-zero on any failure.

local MODE = os.getenv('MARGINALIA_TEST_MODE') or 'enable'
local LABEL = os.getenv('MARGINALIA_TEST_LABEL') or MODE
local REPO = assert(os.getenv('MARGINALIA_TEST_REPO'), 'MARGINALIA_TEST_REPO not set')
local SERVER = assert(os.getenv('MARGINALIA_TEST_SERVER'), 'MARGINALIA_TEST_SERVER not set')
local SNIPPET = os.getenv('MARGINALIA_TEST_SNIPPET')
local SEED = REPO .. '/seeds/000_f8c5198825835df1.txt'

-- Facts about the seed that the test checks against what it computes from the file.
local MARKER_LINE = 118 -- 時聲稱“今天烏克蘭就是明日的東亞”〔1〕。日本
local NOTE_LINE = 886 -- 〔1〕「ウクライナの窮狀は東アジアでも再現され…
local HOVER_TEXT = 'ウクライナの窮狀は東アジアでも再現され'
local MISSING = { first = 5, last = 17 }
local TOP_LEVEL = { -- the outline's top level, written down here so a wrong `outline` command fails too
  '一、戰略性接近的內外動因',
  '二、戰略性接近的總體態勢',
  '三、戰略性接近的外溢影響',
  '四、戰略性接近的限度和困境',
  '結語',
  '註釋',
}

local TIMEOUT = 20000 -- ms, for each wait

---------------------------------------------------------------------------------------------
-- Reporting

local passed, failed = 0, 0
local function out(s)
  io.stdout:write(s .. '\n')
  io.stdout:flush()
end
local function check(ok, what, detail)
  if ok then
    passed = passed + 1
    out('ok     ' .. what)
  else
    failed = failed + 1
    out('FAILED ' .. what .. (detail and ('\n       ' .. detail) or ''))
  end
  return ok
end
local function info(s)
  out('       ' .. s)
end

---------------------------------------------------------------------------------------------
-- Compatibility shims (0.7.2 has no vim.lsp.get_clients, vim.fs, vim.json...)

local function clients_of(buf)
  local list = {}
  if vim.lsp.get_clients then
    list = vim.lsp.get_clients({ bufnr = buf })
  else
    for _, c in pairs(vim.lsp.buf_get_clients(buf)) do
      table.insert(list, c)
    end
  end
  local ours = {}
  for _, c in ipairs(list) do
    if c.name == 'marginalia' then
      table.insert(ours, c)
    end
  end
  return ours
end

local function read_lines(path)
  local lines = {}
  local f = assert(io.open(path, 'rb'))
  for line in f:lines() do
    table.insert(lines, line)
  end
  f:close()
  return lines
end

local function system(argv)
  local output = vim.fn.system(argv)
  return output, vim.v.shell_error
end

-- Offsets of the first `byte` bytes of a UTF-8 line in each LSP position encoding, computed
-- here from the bytes (not with Neovim's own functions, which the client under test uses).
local function position_in(encoding, line, byte)
  if encoding == 'utf-8' then
    return byte
  end
  local units = 0
  for i = 1, byte do
    local c = line:byte(i)
    if c < 0x80 or c >= 0xC0 then -- the first byte of a character
      units = units + ((encoding == 'utf-16' and c >= 0xF0) and 2 or 1)
    end
  end
  return units
end

---------------------------------------------------------------------------------------------
-- What the file says, computed from its text

local lines = read_lines(SEED)

local notes_title -- 1-based line of 註釋
local NOTES_TITLES = { ['註釋'] = true, ['注釋'] = true, ['注释'] = true }
for i, l in ipairs(lines) do
  local title = vim.trim(l)
  for _, colon in ipairs({ '：', ':' }) do
    if title:sub(-#colon) == colon then
      title = title:sub(1, -#colon - 1)
    end
  end
  if NOTES_TITLES[title] then
    notes_title = i
    break
  end
end

-- Every marker 〔n〕 with n in 5..17 before the notes section: {lnum0, col0 (bytes), end_col0, n}
local expected_errors = {}
local marker_1 -- {line, byte} of the first 〔1〕 in the text
for i = 1, (notes_title or (#lines + 1)) - 1 do
  local init = 1
  while true do
    local s, e, n = lines[i]:find('〔(%d+)〕', init)
    if not s then
      break
    end
    n = tonumber(n)
    if n >= MISSING.first and n <= MISSING.last then
      table.insert(expected_errors, { lnum = i - 1, col = s - 1, end_col = e, n = n })
    end
    if n == 1 and not marker_1 then
      marker_1 = { line = i, byte = s - 1, len = e - s + 1 }
    end
    init = e + 1
  end
end
local entry_1 -- 1-based line where note 1's entry starts
for i = (notes_title or #lines) + 1, #lines do
  if lines[i]:match('^%s*〔1〕') then
    entry_1 = i
    break
  end
end

---------------------------------------------------------------------------------------------
-- What the command line says about the same file

local function cli_problems()
  local output, code = system({ SERVER, 'check', '--format', 'json', SEED })
  if code ~= 0 and code ~= 1 then
    error('marginalia check failed (' .. code .. '): ' .. output)
  end
  return vim.fn.json_decode(output)
end

local function cli_outline()
  local output, code = system({ SERVER, 'outline', SEED })
  if code ~= 0 then
    error('marginalia outline failed (' .. code .. '): ' .. output)
  end
  local items = {}
  for _, l in ipairs(vim.split(output, '\n', true)) do
    local number, rest = l:match('^%s*(%d+)  (.*)$')
    if number then
      local indent = rest:match('^( *)')
      table.insert(items, { line = tonumber(number), depth = #indent / 2, name = rest:sub(#indent + 1) })
    end
  end
  return items
end

local function symbols_flat(symbols, depth, into)
  for _, s in ipairs(symbols) do
    local range = s.selectionRange or (s.location and s.location.range)
    table.insert(into, { line = range.start.line + 1, depth = depth, name = s.name })
    if s.children then
      symbols_flat(s.children, depth + 1, into)
    end
  end
  return into
end

local function same_items(a, b)
  if #a ~= #b then
    return false, ('%d items, expected %d'):format(#a, #b)
  end
  for i = 1, #a do
    if a[i].line ~= b[i].line or a[i].depth ~= b[i].depth or a[i].name ~= b[i].name then
      return false,
        ('item %d is line %d depth %d %q, expected line %d depth %d %q'):format(
          i,
          a[i].line,
          a[i].depth,
          a[i].name,
          b[i].line,
          b[i].depth,
          b[i].name
        )
    end
  end
  return true
end

---------------------------------------------------------------------------------------------
-- The test

local function run()
  local version = vim.trim(vim.fn.execute('version')):match('^[^\n]*')
  out(('== %s, mode %s, server %s'):format(version, MODE, SERVER))

  check(notes_title ~= nil, ('the seed has a notes title (line %s)'):format(tostring(notes_title)))
  check(
    #expected_errors == MISSING.last - MISSING.first + 1,
    ('the seed cites 〔%d〕…〔%d〕 %d times before its notes'):format(MISSING.first, MISSING.last, #expected_errors)
  )
  check(
    marker_1 ~= nil and marker_1.line == MARKER_LINE,
    ('〔1〕 is first cited on line %d'):format(marker_1 and marker_1.line or -1)
  )
  check(entry_1 == NOTE_LINE, ('note 〔1〕 starts on line %s'):format(tostring(entry_1)))
  check(
    vim.fn.exepath('marginalia') == SERVER or vim.fn.resolve(vim.fn.exepath('marginalia')) == vim.fn.resolve(SERVER),
    '`marginalia` on $PATH is the server under test: ' .. vim.fn.exepath('marginalia')
  )

  -- Start the server the way a user does.
  if MODE == 'enable' then
    vim.opt.runtimepath:prepend(REPO .. '/editors/nvim')
    local found = vim.api.nvim_get_runtime_file('lsp/marginalia.lua', true)
    check(
      #found == 1 and found[1] == REPO .. '/editors/nvim/lsp/marginalia.lua',
      'the only lsp/marginalia.lua on runtimepath is the shipped one',
      vim.inspect(found)
    )
    vim.lsp.enable('marginalia')
  elseif MODE == 'snippet' then
    check(SNIPPET ~= nil and vim.fn.filereadable(SNIPPET) == 1, 'the README snippet was extracted: ' .. tostring(SNIPPET))
    dofile(SNIPPET)
  else
    error('unknown MARGINALIA_TEST_MODE ' .. MODE)
  end

  vim.cmd('edit ' .. vim.fn.fnameescape(SEED))
  local buf = vim.api.nvim_get_current_buf()
  check(vim.bo[buf].filetype == 'text', 'the seed has filetype text (got ' .. vim.bo[buf].filetype .. ')')

  local client
  local attached = vim.wait(TIMEOUT, function()
    client = clients_of(buf)[1]
    return client ~= nil and client.initialized == true
  end, 50)
  if not check(attached, 'a client named marginalia attached to the seed and initialized') then
    return
  end
  check(#clients_of(buf) == 1, 'exactly one marginalia client on the buffer')
  check(
    vim.deep_equal(client.config.cmd, { 'marginalia' }),
    'it runs `marginalia` (cmd ' .. vim.inspect(client.config.cmd) .. ')'
  )
  local encoding = client.offset_encoding
  info(('position encoding: %s; root: %s'):format(encoding, tostring(client.config.root_dir)))

  -- Diagnostics: as many as the command line reports, the errors exactly at the markers.
  local problems = cli_problems()
  local by_severity = { error = 0, warning = 0, information = 0, hint = 0 }
  for _, p in ipairs(problems) do
    by_severity[p.severity] = (by_severity[p.severity] or 0) + 1
  end
  info(
    ('`marginalia check --format json` reports %d problems: %d errors, %d warnings, %d hints'):format(
      #problems,
      by_severity.error,
      by_severity.warning,
      by_severity.hint
    )
  )
  local got = vim.wait(TIMEOUT, function()
    return #vim.diagnostic.get(buf) >= #problems
  end, 50)
  vim.wait(500) -- anything more that comes after would be wrong: let it come
  local diagnostics = vim.diagnostic.get(buf)
  local namespaces = {}
  for _, d in ipairs(diagnostics) do
    namespaces[vim.diagnostic.get_namespace(d.namespace).name] = true
  end
  -- 0.11+ pulls them (textDocument/diagnostic), 0.7 gets them pushed (publishDiagnostics).
  info('diagnostic namespaces: ' .. table.concat(vim.tbl_keys(namespaces), ', '))
  check(
    got and #diagnostics == #problems,
    ('vim.diagnostic.get has %d diagnostics, as many as the command line'):format(#diagnostics)
  )
  local S = vim.diagnostic.severity
  for _, pair in ipairs({ { 'error', S.ERROR }, { 'warning', S.WARN }, { 'hint', S.HINT } }) do
    local name, n = pair[1], #vim.diagnostic.get(buf, { severity = pair[2] })
    check(n == by_severity[name], ('%d of severity %s (command line: %d)'):format(n, name, by_severity[name]))
  end

  local errors = vim.diagnostic.get(buf, { severity = S.ERROR })
  table.sort(errors, function(a, b)
    return a.lnum < b.lnum or (a.lnum == b.lnum and a.col < b.col)
  end)
  local positions_ok, detail = #errors == #expected_errors, nil
  local raw_ok, raw_detail, raw_seen = true, nil, 0
  for i, want in ipairs(expected_errors) do
    local d = errors[i]
    if
      not d
      or d.lnum ~= want.lnum
      or d.col ~= want.col
      or d.end_lnum ~= want.lnum
      or d.end_col ~= want.end_col
      or d.code ~= 'missing-note'
      or not d.message:find('〔' .. want.n .. '〕', 1, true)
    then
      positions_ok = false
      detail = detail
        or ('〔%d〕: expected %d:%d-%d missing-note, got %s'):format(
          want.n,
          want.lnum,
          want.col,
          want.end_col,
          d and ('%d:%d-%d %s %q'):format(d.lnum, d.col, d.end_col, tostring(d.code), d.message) or 'nothing'
        )
    end
    -- Neovim 0.11+ keeps the server's own range: check it in the negotiated encoding.
    local lsp = d and d.user_data and d.user_data.lsp
    if lsp and lsp.range then
      raw_seen = raw_seen + 1
      local line = lines[want.lnum + 1]
      local s, e = position_in(encoding, line, want.col), position_in(encoding, line, want.end_col)
      local r = lsp.range
      if r.start.line ~= want.lnum or r.start.character ~= s or r['end'].line ~= want.lnum or r['end'].character ~= e then
        raw_ok = false
        raw_detail = raw_detail
          or ('〔%d〕: expected %d:%d-%d (%s), server sent %d:%d-%d'):format(
            want.n,
            want.lnum,
            s,
            e,
            encoding,
            r.start.line,
            r.start.character,
            r['end'].character
          )
      end
    end
  end
  check(
    positions_ok,
    ('the %d errors are missing-note, exactly at the markers 〔%d〕…〔%d〕 (line and byte column)'):format(
      #errors,
      MISSING.first,
      MISSING.last
    ),
    detail
  )
  if raw_seen > 0 then
    check(
      raw_ok and raw_seen == #expected_errors,
      ('the server sent their ranges in %s code units, matching the text'):format(encoding),
      raw_detail
    )
  else
    info('this Neovim does not keep the server ranges (user_data.lsp.range): checked byte columns only')
  end

  -- documentSymbol: the same tree as `marginalia outline`.
  local params = { textDocument = vim.lsp.util.make_text_document_params(buf) }
  local responses = vim.lsp.buf_request_sync(buf, 'textDocument/documentSymbol', params, TIMEOUT) or {}
  local response = responses[client.id] or {}
  local symbols = response.result or {}
  check(
    type(symbols) == 'table' and #symbols > 0 and symbols[1].selectionRange ~= nil,
    'documentSymbol answers a hierarchy (DocumentSymbol[])',
    vim.inspect(response.err)
  )
  local flat = symbols_flat(symbols, 0, {})
  local outline = cli_outline()
  local same, why = same_items(flat, outline)
  check(
    same,
    ('documentSymbol gives the outline of `marginalia outline`: %d symbols, %d top-level'):format(#flat, #symbols),
    why
  )
  local top = {}
  for _, s in ipairs(symbols) do
    table.insert(top, s.name)
  end
  check(vim.deep_equal(top, TOP_LEVEL), 'top-level symbols: ' .. table.concat(top, ' | '))

  -- Hover on 〔1〕: the note's text, in Markdown.
  vim.api.nvim_win_set_cursor(0, { marker_1.line, marker_1.byte + 3 }) -- on the 1, inside 〔1〕
  local position = vim.lsp.util.make_position_params(0, encoding)
  responses = vim.lsp.buf_request_sync(buf, 'textDocument/hover', position, TIMEOUT) or {}
  local hover = (responses[client.id] or {}).result
  local contents = hover and hover.contents or {}
  check(
    contents.kind == 'markdown' and type(contents.value) == 'string' and contents.value:find(HOVER_TEXT, 1, true) ~= nil,
    ('hover on 〔1〕 (line %d) is Markdown with the note text %s…'):format(marker_1.line, HOVER_TEXT),
    vim.inspect(hover)
  )
  -- ... and vim.lsp.buf.hover() shows it in a floating window.
  local main_win = vim.api.nvim_get_current_win()
  vim.lsp.buf.hover()
  local float_text
  vim.wait(TIMEOUT, function()
    for _, w in ipairs(vim.api.nvim_list_wins()) do
      if vim.api.nvim_win_get_config(w).relative ~= '' then
        float_text = table.concat(vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(w), 0, -1, false), '\n')
        return true
      end
    end
    return false
  end, 50)
  check(
    float_text ~= nil and float_text:find(HOVER_TEXT, 1, true) ~= nil,
    'vim.lsp.buf.hover() opens a float with the note text',
    tostring(float_text)
  )
  for _, w in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(w).relative ~= '' then
      vim.api.nvim_win_close(w, true)
    end
  end
  vim.api.nvim_set_current_win(main_win)

  -- Definition of 〔1〕: vim.lsp.buf.definition() moves the cursor to the note's entry.
  vim.api.nvim_win_set_cursor(0, { marker_1.line, marker_1.byte + 3 })
  vim.lsp.buf.definition()
  vim.wait(TIMEOUT, function()
    return vim.api.nvim_win_get_cursor(0)[1] ~= marker_1.line
  end, 50)
  local cursor = vim.api.nvim_win_get_cursor(0)
  check(
    vim.api.nvim_get_current_buf() == buf and cursor[1] == NOTE_LINE,
    ('vim.lsp.buf.definition() on 〔1〕 (line %d) moves the cursor to line %d, column %d'):format(
      marker_1.line,
      cursor[1],
      cursor[2]
    ),
    ('expected line %d'):format(NOTE_LINE)
  )
  check(
    lines[cursor[1]] ~= nil and lines[cursor[1]]:sub(cursor[2] + 1, cursor[2] + #'〔1〕') == '〔1〕',
    'the cursor is on the entry label 〔1〕'
  )
end

local ok, err = xpcall(run, debug.traceback)
if not ok then
  check(false, 'the test ran to its end', err)
end
out(('%s: %d passed, %d failed'):format(LABEL, passed, failed))
for _, c in ipairs(vim.lsp.get_clients and vim.lsp.get_clients() or vim.lsp.get_active_clients()) do
  vim.lsp.stop_client(c.id, true)
end
if failed > 0 then
  vim.cmd('cquit 1')
else
  vim.cmd('qall!')
end
