;;; marginalia-ls.el --- Eglot setup for the marginalia language server  -*- lexical-binding: t; -*-

;; Keywords: languages, text, i18n
;; Package-Requires: ((emacs "26.3") (eglot "1.9"))

;;; Commentary:

;; The marginalia language server checks annotated plain-text CJK documents: numbered
;; headings (一、, （一）, 1.), note markers 〔n〕 in the text and their entries under 註釋.
;; This file registers it with Eglot for a major mode of its own, `marginalia-ls-mode'
;; (Text mode and nothing more), which `*.notes.txt' files get.  To use it for every `*.txt'
;; file, and to start the server when such a file is opened:
;;
;;   (add-to-list 'load-path "/path/to/marginalia/editors/emacs")
;;   (require 'marginalia-ls)
;;   (add-to-list 'auto-mode-alist '("\\.txt\\'" . marginalia-ls-mode))
;;   (add-hook 'marginalia-ls-mode-hook #'eglot-ensure)
;;
;; The server, `marginalia' (or `marginalia-ls-command'), must be on `exec-path'.  Problems
;; show with Flymake, the headings in Imenu, hover with ElDoc, and M-. goes from a marker
;; to its note.  See editors/emacs/README.md.
;;
;; Why not `marginalia.el' and `marginalia-mode': those names belong to the Marginalia
;; package (completion annotations in the minibuffer, on GNU ELPA and in Debian as
;; elpa-marginalia); a second library of that name would shadow one or the other.

;;; Code:

(require 'eglot)

(defgroup marginalia-ls nil
  "The marginalia language server for annotated plain-text CJK documents."
  :group 'eglot
  :prefix "marginalia-ls-")

(defcustom marginalia-ls-command '("marginalia")
  "The command that starts the marginalia language server, and its arguments.
The server speaks LSP over its standard input and output."
  :type '(repeat string))

;;;###autoload
(define-derived-mode marginalia-ls-mode text-mode "Marginalia"
  "Text mode for annotated plain-text CJK documents.
Eglot starts `marginalia-ls-command' for buffers in this mode; add
`eglot-ensure' to `marginalia-ls-mode-hook' to start it when a file is opened.")

;;;###autoload
(add-to-list 'auto-mode-alist '("\\.notes\\.txt\\'" . marginalia-ls-mode))

(defun marginalia-ls--contact (&optional _interactive)
  "The Eglot contact of the server: `marginalia-ls-command' as it is now."
  marginalia-ls-command)

;; The language id is VS Code's for plain text; the server does not look at it.
(add-to-list 'eglot-server-programs
             '((marginalia-ls-mode :language-id "plaintext") . marginalia-ls--contact))

(provide 'marginalia-ls)
;;; marginalia-ls.el ends here
