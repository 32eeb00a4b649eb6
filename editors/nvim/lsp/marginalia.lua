-- marginalia: the language server for annotated plain-text CJK documents (headings 一、,
-- note markers 〔n〕, notes under 註釋).
--
-- Neovim 0.11+ reads `lsp/<name>.lua` from every directory on 'runtimepath'. With this
-- directory (editors/nvim) on 'runtimepath', or this file copied to
-- ~/.config/nvim/lsp/marginalia.lua, one line in init.lua starts the server for text files:
--
--   vim.lsp.enable('marginalia')
--
-- Change any field with vim.lsp.config('marginalia', { ... }), e.g. a `cmd` with the full
-- path of the binary, or `settings = { marginalia = { ... } }` (the keys of the README's
-- Settings section). See editors/nvim/README.md.

---@type vim.lsp.Config
return {
  -- `marginalia` must be on $PATH (`cargo install --path .` puts it in ~/.cargo/bin).
  cmd = { 'marginalia' },
  -- Neovim gives `*.txt` files the filetype `text`.
  filetypes = { 'text' },
  -- The workspace folder (whose `*.txt` files feed workspace symbols) is the nearest
  -- directory above the file holding `.git`; without one the server gets the file alone.
  root_markers = { '.git' },
}
