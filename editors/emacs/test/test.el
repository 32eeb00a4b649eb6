;;; test.el --- End-to-end test of marginalia-ls.el with Eglot in a real Emacs  -*- lexical-binding: t; -*-

;; Run by editors/emacs/test/run.sh:
;;
;;   emacs --batch -l editors/emacs/test/test.el
;;
;; with these environment variables:
;;   MARGINALIA_TEST_REPO    the repository root
;;   MARGINALIA_TEST_SERVER  the server binary under test (also first on $PATH as `marginalia')
;;   MARGINALIA_TEST_INIT    the README's init snippet, its load-path pointing at this repository
;;
;; Loads the README's setup, opens the seed as a user would, and checks what Eglot gets:
;; the Flymake diagnostics (as many as `marginalia check' reports, the errors exactly the 13
;; `missing-note' at the markers 〔5〕…〔17〕), documentSymbol (the tree of `marginalia
;; outline') and Imenu, hover on 〔1〕, and M-. from 〔1〕 to its note.  Prints one line per
;; check, then `N passed, N failed'; exits non-zero on any failure.

;;; Code:

(require 'cl-lib)
(require 'subr-x)
(require 'json)

(prefer-coding-system 'utf-8)
(setq-default buffer-file-coding-system 'utf-8-unix)

(defconst mt-repo (or (getenv "MARGINALIA_TEST_REPO") (error "MARGINALIA_TEST_REPO not set")))
(defconst mt-server (or (getenv "MARGINALIA_TEST_SERVER") (error "MARGINALIA_TEST_SERVER not set")))
(defconst mt-init (or (getenv "MARGINALIA_TEST_INIT") (error "MARGINALIA_TEST_INIT not set")))
(defconst mt-seed (expand-file-name "seeds/000_f8c5198825835df1.txt" mt-repo))

;; Facts about the seed, checked against what the test computes from the file.
(defconst mt-marker-line 118)          ; 時聲稱“今天烏克蘭就是明日的東亞”〔1〕。日本
(defconst mt-note-line 886)            ; 〔1〕「ウクライナの窮狀は東アジアでも再現され…
(defconst mt-hover-text "ウクライナの窮狀は東アジアでも再現され")
(defconst mt-missing '(5 . 17))
(defconst mt-top-level                 ; written down here so a wrong `outline' fails too
  '("一、戰略性接近的內外動因" "二、戰略性接近的總體態勢" "三、戰略性接近的外溢影響"
    "四、戰略性接近的限度和困境" "結語" "註釋"))
(defconst mt-timeout 20.0)             ; seconds, for each wait

;;; Reporting

(defvar mt-passed 0)
(defvar mt-failed 0)

(defun mt-out (format-string &rest args)
  (princ (concat (apply #'format format-string args) "\n") #'external-debugging-output))

(defun mt-check (ok what &optional detail)
  (if ok
      (progn (cl-incf mt-passed) (mt-out "ok     %s" what))
    (cl-incf mt-failed)
    (mt-out "FAILED %s%s" what (if detail (format "\n       %s" detail) "")))
  ok)

(defun mt-info (format-string &rest args)
  (mt-out "       %s" (apply #'format format-string args)))

(defun mt-wait (predicate &optional timeout)
  "Run process output and timers until PREDICATE is non-nil or TIMEOUT passes."
  (let ((deadline (+ (float-time) (or timeout mt-timeout))) result)
    (while (and (not (setq result (funcall predicate)))
                (< (float-time) deadline))
      (accept-process-output nil 0.05))
    result))

;;; What the command line says

(defun mt-cli (&rest args)
  "Run the server's command line with ARGS: (EXIT-CODE . OUTPUT)."
  (with-temp-buffer
    (let* ((coding-system-for-read 'utf-8)
           (code (apply #'call-process mt-server nil (list t nil) nil args)))
      (cons code (buffer-string)))))

(defun mt-cli-problems ()
  (let ((result (mt-cli "check" "--format" "json" mt-seed)))
    (unless (memq (car result) '(0 1))
      (error "marginalia check failed (%s): %s" (car result) (cdr result)))
    (append (json-parse-string (cdr result) :object-type 'plist :array-type 'list) nil)))

(defun mt-cli-outline ()
  "The outline command's tree: a list of (LINE DEPTH NAME)."
  (let ((result (mt-cli "outline" mt-seed)) items)
    (unless (eq (car result) 0)
      (error "marginalia outline failed (%s): %s" (car result) (cdr result)))
    (dolist (line (split-string (cdr result) "\n" t))
      (when (string-match "\\` *\\([0-9]+\\)  \\( *\\)\\(.*\\)\\'" line)
        (push (list (string-to-number (match-string 1 line))
                    (/ (length (match-string 2 line)) 2)
                    (match-string 3 line))
              items)))
    (nreverse items)))

;;; What the file says, computed from its text (in the visiting buffer)

(defun mt-notes-title-pos ()
  "Start of the line of the notes title 註釋, or nil."
  (save-excursion
    (goto-char (point-min))
    (and (re-search-forward "^[ \t　]*\\(註釋\\|注釋\\|注释\\)[：:]?[ \t　]*$" nil t)
         (line-beginning-position))))

(defun mt-expected-errors (notes)
  "Each marker 〔n〕 with n in `mt-missing' before NOTES: a list of (BEG END N)."
  (save-excursion
    (goto-char (point-min))
    (let (found)
      (while (re-search-forward "〔\\([0-9]+\\)〕" notes t)
        (let ((n (string-to-number (match-string 1))))
          (when (<= (car mt-missing) n (cdr mt-missing))
            (push (list (match-beginning 0) (match-end 0) n) found))))
      (nreverse found))))

(defun mt-line-at (pos) (save-excursion (goto-char pos) (line-number-at-pos)))

;;; The test

(defun mt-flatten-symbols (symbols depth)
  (cl-loop for s in symbols
           append (cons (list (1+ (plist-get (plist-get (plist-get s :selectionRange) :start) :line))
                              depth
                              (plist-get s :name))
                        (mt-flatten-symbols (append (plist-get s :children) nil) (1+ depth)))))

(defun mt-imenu-names (index)
  (cl-loop for (name . rest) in index
           append (if (listp rest) (mt-imenu-names rest) (list name))))

(cl-defun mt-run ()
  (mt-out "== %s, %s, server %s"
          (car (split-string (emacs-version) "\n"))
          (abbreviate-file-name (locate-library "eglot"))
          mt-server)
  (mt-check (equal (executable-find "marginalia") mt-server)
            (format "`marginalia' on exec-path is the server under test: %s" (executable-find "marginalia")))

  ;; The README's setup, then open the seed as a user does.
  (load mt-init nil t)
  (mt-check (equal (file-name-sans-extension (or (locate-library "marginalia-ls") ""))
                   (expand-file-name "editors/emacs/marginalia-ls" mt-repo))
            (format "the README setup loads the shipped marginalia-ls: %s" (locate-library "marginalia-ls")))
  (find-file mt-seed)
  (mt-check (eq major-mode 'marginalia-ls-mode)
            (format "the seed opens in marginalia-ls-mode (got %s)" major-mode))
  ;; `eglot-ensure' connects once the command that opened the file is over.
  (let ((failure (condition-case err (progn (run-hooks 'post-command-hook) nil)
                   (error (error-message-string err)))))
    (unless (mt-check (null failure) "eglot-ensure (in marginalia-ls-mode-hook) starts a connection"
                      (format "%s (eglot's entry for marginalia-ls-mode: %S)"
                              failure (eglot--lookup-mode 'marginalia-ls-mode)))
      (cl-return-from mt-run)))
  (let ((server (mt-wait (lambda () (and (bound-and-true-p eglot--managed-mode)
                                         (eglot-current-server))))))
    (unless (mt-check server "eglot manages the seed")
      (cl-return-from mt-run))
    (mt-check (equal (process-command (jsonrpc--process server)) '("marginalia"))
              (format "it runs %S" (process-command (jsonrpc--process server))))
    (mt-info "language id: %s; project: %s"
             (eglot--language-id server) (project-root (eglot--project server)))

    ;; Diagnostics, through Flymake.
    (let* ((notes (mt-notes-title-pos))
           (expected (and notes (mt-expected-errors notes)))
           (problems (mt-cli-problems))
           (count (lambda (severity) (cl-count severity problems
                                               :key (lambda (p) (plist-get p :severity))
                                               :test #'equal))))
      (mt-check notes (format "the seed has a notes title (line %s)" (and notes (mt-line-at notes))))
      (mt-check (= (length expected) (1+ (- (cdr mt-missing) (car mt-missing))))
                (format "the seed cites 〔%d〕…〔%d〕 %d times before its notes"
                        (car mt-missing) (cdr mt-missing) (length expected)))
      (mt-info "`marginalia check --format json' reports %d problems: %d errors, %d warnings, %d hints"
               (length problems) (funcall count "error") (funcall count "warning") (funcall count "hint"))
      (mt-wait (lambda () (>= (length (flymake-diagnostics)) (length problems))))
      (mt-wait (lambda () nil) 0.5)     ; anything more that comes after would be wrong
      (let* ((diagnostics (flymake-diagnostics))
             (of-type (lambda (type) (cl-remove-if-not (lambda (d) (eq (flymake-diagnostic-type d) type))
                                                       diagnostics)))
             (errors (sort (funcall of-type 'eglot-error)
                           (lambda (a b) (< (flymake-diagnostic-beg a) (flymake-diagnostic-beg b)))))
             (got (mapcar (lambda (d) (list (flymake-diagnostic-beg d) (flymake-diagnostic-end d)
                                            (flymake-diagnostic-text d)))
                          errors)))
        (mt-check (= (length diagnostics) (length problems))
                  (format "flymake-diagnostics has %d, as many as the command line" (length diagnostics)))
        (mt-check (= (length errors) (funcall count "error"))
                  (format "%d of type eglot-error (command line: %d errors)" (length errors) (funcall count "error")))
        (mt-check (= (length (funcall of-type 'eglot-warning)) (funcall count "warning"))
                  (format "%d of type eglot-warning (command line: %d warnings)"
                          (length (funcall of-type 'eglot-warning)) (funcall count "warning")))
        (mt-check (= (length (funcall of-type 'eglot-note))
                     (+ (funcall count "hint") (funcall count "information")))
                  (format "%d of type eglot-note (command line: %d hints and informations)"
                          (length (funcall of-type 'eglot-note))
                          (+ (funcall count "hint") (funcall count "information"))))
        (mt-check (and (= (length got) (length expected))
                       (cl-every (lambda (g e)
                                   (and (= (nth 0 g) (nth 0 e)) (= (nth 1 g) (nth 1 e))
                                        (string-match-p "missing-note" (nth 2 g))
                                        (string-match-p (format "〔%d〕" (nth 2 e)) (nth 2 g))))
                                 got expected))
                  (format "the %d errors are missing-note, exactly at the markers 〔%d〕…〔%d〕"
                          (length got) (car mt-missing) (cdr mt-missing))
                  (format "expected %S\n       got %S" expected got))))

    ;; documentSymbol: the same tree as `marginalia outline'; Imenu shows it.
    (let* ((symbols (append (jsonrpc-request server :textDocument/documentSymbol
                                             `(:textDocument ,(eglot--TextDocumentIdentifier)))
                            nil))
           (flat (mt-flatten-symbols symbols 0))
           (outline (mt-cli-outline)))
      (mt-check (and symbols (plist-get (car symbols) :selectionRange))
                "documentSymbol answers a hierarchy (DocumentSymbol[])")
      (mt-check (equal flat outline)
                (format "documentSymbol gives the outline of `marginalia outline': %d symbols, %d top-level"
                        (length flat) (length symbols))
                (let ((i (cl-mismatch flat outline :test #'equal)))
                  (and i (format "item %d is %S, expected %S" i (nth i flat) (nth i outline)))))
      (mt-check (equal (mapcar (lambda (s) (plist-get s :name)) symbols) mt-top-level)
                (format "top-level symbols: %s"
                        (mapconcat (lambda (s) (plist-get s :name)) symbols " | ")))
      (let ((names (mt-imenu-names (funcall imenu-create-index-function))))
        (mt-check (equal (sort (copy-sequence names) #'string<)
                         (sort (mapcar #'cl-third outline) #'string<))
                  (format "Imenu lists the %d headings and notes" (length names)))))

    ;; Hover and definition on 〔1〕.
    (goto-char (point-min))
    (forward-line (1- mt-marker-line))
    (let ((marker (and (search-forward "〔1〕" (line-end-position) t) (- (point) 2))))
      (mt-check marker (format "〔1〕 is on line %d" mt-marker-line))
      (when marker
        (goto-char marker)              ; on the 1, inside 〔1〕
        (let* ((hover (jsonrpc-request server :textDocument/hover (eglot--TextDocumentPositionParams)))
               (contents (plist-get hover :contents)))
          ;; Eglot offers Markdown only when markdown-mode is installed (it is not here):
          ;; otherwise the note comes as a plain string.
          (mt-check (if (fboundp 'gfm-view-mode)
                        (and (equal (plist-get contents :kind) "markdown")
                             (string-match-p mt-hover-text (or (plist-get contents :value) "")))
                      (and (stringp contents) (string-match-p mt-hover-text contents)
                           (not (string-match-p "\\*\\*" contents))))
                    (format "hover on 〔1〕 shows the note text %s… (Markdown only if Eglot offers it)"
                            mt-hover-text)
                    (format "%S" hover)))
        (goto-char marker)
        (call-interactively #'xref-find-definitions)
        (mt-check (and (eq (current-buffer) (get-file-buffer mt-seed))
                       (= (line-number-at-pos) mt-note-line)
                       (looking-at-p "〔1〕"))
                  (format "M-. (xref-find-definitions) on 〔1〕 moves point to line %d, on 〔1〕"
                          (line-number-at-pos))
                  (format "expected line %d" mt-note-line))))))

(let ((status 0))
  (condition-case err
      (mt-run)
    (error (mt-check nil "the test ran to its end" (error-message-string err))))
  (mt-out "emacs: %d passed, %d failed" mt-passed mt-failed)
  (ignore-errors (let ((eglot-autoshutdown t)) (eglot-shutdown (eglot-current-server))))
  (when (> mt-failed 0) (setq status 1))
  (kill-emacs status))

;;; test.el ends here
