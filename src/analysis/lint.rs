//! Checks of the text's form, paragraph by paragraph: the scars PDF extraction leaves (a stray
//! space at a page break, printed lines never joined into paragraphs, URLs broken across
//! lines) and CJK typography (paired punctuation left open, half-width punctuation between CJK
//! characters).
//!
//! Each paragraph's problems depend on that paragraph alone (see `paragraphs.rs`), so after an
//! edit only the paragraphs around it are checked again ([`Lints::edited`], [`Lints::refresh`]);
//! the result is always that of checking the whole text (`tests/incremental.rs`).

use std::sync::{Arc, Condvar, Mutex};

use memchr::{memchr3_iter, memchr_iter};
use ropey::Rope;

use super::marker_style::{self, MarkerStyle};
use super::numerals::digit_value;
use super::paragraphs::{for_each_paragraph, is_cjk, region_around, Layout, Line, Paragraph};
use super::urls::links;
use super::{Problem, ProblemCode, ProblemKind};
use crate::text::TextRange;

/// Paired punctuation checked for balance: opening, closing.
pub const PAIRS: [(char, char); 9] = [
    ('“', '”'),
    ('‘', '’'),
    ('「', '」'),
    ('『', '』'),
    ('《', '》'),
    ('〈', '〉'),
    ('（', '）'),
    ('〔', '〕'),
    ('【', '】'),
];

/// Half-width punctuation and the full-width form that belongs between CJK characters (`(`
/// stands for a pair of parentheses, or an opening one left alone).
pub const HALF_WIDTH: [(char, char); 6] = [
    (',', '，'),
    (';', '；'),
    (':', '：'),
    ('?', '？'),
    ('!', '！'),
    ('(', '（'),
];

/// The messages of an opening mark of `PAIRS` never closed, in the same order.
pub const UNCLOSED: [&str; PAIRS.len()] = [
    "“ is never closed: no ” after it in this paragraph",
    "‘ is never closed: no ’ after it in this paragraph",
    "「 is never closed: no 」 after it in this paragraph",
    "『 is never closed: no 』 after it in this paragraph",
    "《 is never closed: no 》 after it in this paragraph",
    "〈 is never closed: no 〉 after it in this paragraph",
    "（ is never closed: no ） after it in this paragraph",
    "〔 is never closed: no 〕 after it in this paragraph",
    "【 is never closed: no 】 after it in this paragraph",
];

/// The messages of a closing mark of `PAIRS` that closes nothing, in the same order.
pub const UNOPENED: [&str; PAIRS.len()] = [
    "” closes nothing: no “ before it in this paragraph",
    "’ closes nothing: no ‘ before it in this paragraph",
    "」 closes nothing: no 「 before it in this paragraph",
    "』 closes nothing: no 『 before it in this paragraph",
    "》 closes nothing: no 《 before it in this paragraph",
    "〉 closes nothing: no 〈 before it in this paragraph",
    "） closes nothing: no （ before it in this paragraph",
    "〕 closes nothing: no 〔 before it in this paragraph",
    "】 closes nothing: no 【 before it in this paragraph",
];

/// The messages of the marks of `HALF_WIDTH`, in the same order.
pub const HALF_WIDTH_MESSAGES: [&str; HALF_WIDTH.len()] = [
    "half-width , between CJK characters: write ，",
    "half-width ; between CJK characters: write ；",
    "half-width : between CJK characters: write ：",
    "half-width ? between CJK characters: write ？",
    "half-width ! between CJK characters: write ！",
    "half-width parentheses after CJK text: write （…）",
];

/// The titles of the quick fixes of the marks of `HALF_WIDTH`, in the same order.
pub const HALF_WIDTH_FIXES: [&str; HALF_WIDTH.len()] = [
    "Write ， (full width)",
    "Write ； (full width)",
    "Write ： (full width)",
    "Write ？ (full width)",
    "Write ！ (full width)",
    "Write （…） (full width)",
];

/// A text with at least this many half-width marks between CJK characters writes them so
/// throughout, as its own convention: it is told once, not at every place.
pub const THROUGHOUT: usize = 20;

/// The form problems of a document, kept up to date edit by edit.
///
/// A book has tens of thousands (a hard-wrap for each paragraph) and every keystroke moves
/// those after it, while a snapshot being published may still hold them: they are kept in
/// chunks shared between versions, each with an offset to add to its problems' positions, so
/// that an edit copies one chunk and moves the others by changing a number.
#[derive(Clone, Debug, Default)]
pub struct Lints {
    /// In document order, none empty.
    chunks: Vec<Chunk>,
    layout: Option<Layout>,
    /// The bytes edited since the last refresh (in the current text), to be checked again.
    dirty: Option<TextRange>,
}

/// Problems per chunk, about.
const CHUNK_LEN: usize = 512;

/// Some of a document's form problems, next to each other.
#[derive(Clone, Debug)]
pub struct Chunk {
    /// Added to the positions in `problems`.
    shift: isize,
    /// Sorted by start, positions before `shift`.
    problems: Arc<Vec<Problem>>,
    /// For each kind (see [`kind_index`]), where its problems are in `problems`: an editor is
    /// shown the first 50 of each, and a rare kind's are found without reading the others.
    by_kind: Arc<[Vec<u32>; FORM_KINDS]>,
    /// The furthest end of a problem, before `shift`.
    end: usize,
}

/// The kinds of form problems.
pub const FORM_KINDS: usize = 5;

/// The index of a form problem's kind in [`Lints::totals`] (`None` for other problems).
pub fn kind_index(code: ProblemCode) -> Option<usize> {
    match code {
        ProblemCode::PageBreakSpace => Some(0),
        ProblemCode::HardWrap => Some(1),
        ProblemCode::BrokenUrl => Some(2),
        ProblemCode::UnbalancedPunctuation => Some(3),
        ProblemCode::HalfWidthPunctuation => Some(4),
        _ => None,
    }
}

impl Chunk {
    fn new(problems: Vec<Problem>) -> Chunk {
        let mut by_kind: [Vec<u32>; FORM_KINDS] = Default::default();
        for (at, problem) in (0u32..).zip(&problems) {
            if let Some(kind) = kind_index(problem.code()) {
                by_kind[kind].push(at);
            }
        }
        Chunk {
            shift: 0,
            end: problems.iter().map(|p| p.range.end).max().unwrap_or(0),
            problems: Arc::new(problems),
            by_kind: Arc::new(by_kind),
        }
    }

    fn at(&self, offset: usize) -> usize {
        offset.saturating_add_signed(self.shift)
    }

    fn start(&self) -> usize {
        self.problems.first().map_or(0, |p| self.at(p.range.start))
    }

    fn end(&self) -> usize {
        self.at(self.end)
    }

    /// The problems with their positions.
    pub fn iter(&self) -> impl Iterator<Item = Problem> + '_ {
        self.problems.iter().map(|problem| self.moved(*problem))
    }

    /// The problems of `kind` (see [`kind_index`]) with their positions, each with its
    /// index in [`Chunk::iter`].
    pub fn of_kind(&self, kind: usize) -> impl Iterator<Item = (usize, Problem)> + '_ {
        let at = self.by_kind.get(kind).map_or(&[][..], Vec::as_slice);
        at.iter().filter_map(|&at| {
            let at = usize::try_from(at).ok()?;
            Some((at, self.moved(*self.problems.get(at)?)))
        })
    }

    fn moved(&self, mut problem: Problem) -> Problem {
        problem.range = TextRange::new(self.at(problem.range.start), self.at(problem.range.end));
        problem
    }
}

/// Problems in order, cut into chunks.
fn chunked(problems: Vec<Problem>) -> Vec<Chunk> {
    problems
        .chunks(CHUNK_LEN)
        .map(|chunk| Chunk::new(chunk.to_vec()))
        .collect()
}

impl PartialEq for Lints {
    /// The same problems, however chunked.
    fn eq(&self, other: &Lints) -> bool {
        self.layout == other.layout && self.dirty == other.dirty && self.iter().eq(other.iter())
    }
}

impl Eq for Lints {}

impl Lints {
    /// No problems.
    pub const NONE: Lints = Lints {
        chunks: Vec::new(),
        layout: None,
        dirty: None,
    };

    /// Checks the whole of `text`.
    pub fn new(text: &str, layout: &Layout) -> Lints {
        Lints {
            chunks: chunked(check(text, 0, layout, None)),
            layout: Some(layout.clone()),
            dirty: None,
        }
    }

    /// Every problem, in order.
    pub fn iter(&self) -> impl Iterator<Item = Problem> + '_ {
        self.chunks.iter().flat_map(Chunk::iter)
    }

    pub fn is_empty(&self) -> bool {
        self.chunks.is_empty()
    }

    /// How many problems of `kind` (see [`kind_index`]) there are.
    pub fn count_of_kind(&self, kind: usize) -> usize {
        self.chunks
            .iter()
            .map(|c| c.by_kind.get(kind).map_or(0, Vec::len))
            .sum()
    }

    /// How many half-width marks the text has between CJK characters, when it writes them
    /// so throughout (see [`THROUGHOUT`]).
    pub fn half_width_throughout(&self) -> Option<usize> {
        let kind = kind_index(ProblemCode::HalfWidthPunctuation)?;
        Some(self.count_of_kind(kind)).filter(|&count| count >= THROUGHOUT)
    }

    /// The problems in order, chunk by chunk: a reader after some kinds reads only theirs
    /// ([`Chunk::of_kind`]).
    pub fn chunks(&self) -> impl Iterator<Item = &Chunk> {
        self.chunks.iter()
    }

    /// The problems that start at or before `end` and end at or after `start`.
    pub fn touching(&self, start: usize, end: usize) -> Vec<Problem> {
        // A few dozen chunks: each is asked (a paragraph's hard-wrap may reach far).
        self.chunks
            .iter()
            .filter(|c| c.start() <= end && start <= c.end())
            .flat_map(Chunk::iter)
            .filter(|p| p.range.start <= end && start <= p.range.end)
            .collect()
    }

    fn is_current(&self, layout: &Layout) -> bool {
        self.dirty.is_none() && self.layout.as_ref() == Some(layout)
    }

    /// Whether edits were made since the last refresh.
    pub fn is_dirty(&self) -> bool {
        self.dirty.is_some()
    }

    /// About how many bytes of `rope` a refresh would check.
    pub fn work(&self, rope: &Rope, layout: &Layout) -> usize {
        match self.dirty {
            _ if self.layout.as_ref() != Some(layout) => rope.len_bytes(),
            // (An empty edit still dropped the problems it touched: they are checked again.)
            Some(dirty) => dirty.len().max(1),
            None => 0,
        }
    }

    /// Records that bytes `start..old_end` were replaced by `start..new_end`: problems after
    /// the edit move with the text, problems it touched are dropped until the refresh.
    pub fn edited(&mut self, start: usize, old_end: usize, new_end: usize) {
        let moved = |offset: usize| {
            if offset <= start {
                offset
            } else if offset >= old_end {
                offset - old_end + new_end
            } else {
                new_end
            }
        };
        let delta = new_end as isize - old_end as isize;
        self.chunks.retain_mut(|chunk| {
            if chunk.end() < start {
                return true; // before the edit
            }
            if chunk.start() > old_end {
                chunk.shift += delta; // after it
                return true;
            }
            let kept: Vec<Problem> = chunk
                .iter()
                .filter(|p| p.range.end < start || p.range.start > old_end)
                .map(|mut p| {
                    p.range = TextRange::new(moved(p.range.start), moved(p.range.end));
                    p
                })
                .collect();
            *chunk = Chunk::new(kept);
            !chunk.problems.is_empty()
        });
        let dirty = match self.dirty {
            Some(d) => TextRange::new(moved(d.start).min(start), moved(d.end).max(new_end)),
            None => TextRange::new(start, new_end),
        };
        self.dirty = Some(dirty);
    }

    /// Checks again the paragraphs the edits since the last refresh touched (all of them when
    /// the printed width changed).
    pub fn refresh(&mut self, rope: &Rope, layout: &Layout) {
        if self.is_current(layout) {
            return;
        }
        if self.layout.as_ref() != Some(layout) {
            *self = Lints::of_rope(rope, layout);
            return;
        }
        let Some(dirty) = self.dirty.take() else {
            return;
        };
        let region = region_around(rope, dirty.start, dirty.end, layout);
        let text = rope.byte_slice(region.start..region.end).to_string();
        let fresh = check(
            &text,
            region.start,
            layout,
            first_character(rope, region.end),
        );
        // The chunks holding problems that start in the region are made again, with the
        // fresh problems in place of those.
        let first = self
            .chunks
            .partition_point(|c| c.start() < region.start)
            .saturating_sub(1);
        let after = self
            .chunks
            .partition_point(|c| c.start() < region.end)
            .max(first);
        let old: Vec<Problem> = self.chunks[first..after]
            .iter()
            .flat_map(Chunk::iter)
            .collect();
        let before_region = old.iter().take_while(|p| p.range.start < region.start);
        let after_region = old.iter().filter(|p| p.range.start >= region.end);
        let merged: Vec<Problem> = before_region
            .copied()
            .chain(fresh)
            .chain(after_region.copied())
            .collect();
        self.chunks.splice(first..after, chunked(merged));
    }
}

/// Texts are checked in stretches of about this many bytes, each cut where a paragraph ends:
/// a book is never copied whole out of its rope.
const STRETCH_BYTES: usize = 256 << 10;

impl Lints {
    /// Checks the whole of `rope`, a stretch at a time.
    pub fn of_rope(rope: &Rope, layout: &Layout) -> Lints {
        let len = rope.len_bytes();
        let mut problems = Vec::new();
        let mut start = 0;
        while start < len {
            let guess = (start + STRETCH_BYTES).min(len);
            let end = if guess == len {
                len
            } else {
                region_around(rope, guess, guess, layout).end.max(guess)
            };
            let text = rope.byte_slice(start..end).to_string();
            problems.extend(check(&text, start, layout, first_character(rope, end)));
            start = end;
        }
        Lints {
            chunks: chunked(problems),
            layout: Some(layout.clone()),
            dirty: None,
        }
    }
}

/// Form checks running on a thread of their own (a large document is opened without waiting
/// for them): [`LintJob::take`] gives the result once it is there.
#[derive(Clone, Debug)]
pub struct LintJob(Arc<(Mutex<JobState>, Condvar)>);

#[derive(Debug, Default)]
struct JobState {
    done: bool,
    /// Until taken.
    lints: Option<Lints>,
}

impl LintJob {
    /// Brings `lints` up to date with `rope` (see [`Lints::refresh`]) on a new thread (on this
    /// one if no thread can be started).
    pub fn start(lints: Lints, rope: Rope, layout: Layout) -> LintJob {
        let job = LintJob(Arc::default());
        let done = job.clone();
        let mut on_thread = lints.clone();
        let text = rope.clone();
        let layout_on_thread = layout.clone();
        let work = move || {
            on_thread.refresh(&text, &layout_on_thread);
            done.finish(on_thread);
        };
        if let Err(error) = std::thread::Builder::new()
            .name("form checks".into())
            .spawn(work)
        {
            tracing::warn!(%error, "no thread for the form checks: checking on this one");
            let mut lints = lints;
            lints.refresh(&rope, &layout);
            job.finish(lints);
        }
        job
    }

    fn finish(&self, lints: Lints) {
        let (state, ready) = &*self.0;
        let mut state = state.lock().unwrap_or_else(|e| e.into_inner());
        *state = JobState {
            done: true,
            lints: Some(lints),
        };
        ready.notify_all();
    }

    /// Waits until the checks are done.
    pub fn wait(&self) {
        let (state, ready) = &*self.0;
        let mut state = state.lock().unwrap_or_else(|e| e.into_inner());
        while !state.done {
            state = ready.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// The result, if the checks are done and it was not taken yet.
    pub fn take(&self) -> Option<Lints> {
        let (state, _) = &*self.0;
        state.lock().unwrap_or_else(|e| e.into_inner()).lints.take()
    }
}

/// The paired marks of `text` (which starts at byte `base`, at a line start) that close in
/// their paragraph, outside URLs: each pair's index in [`PAIRS`] and its range, marks
/// included, in order of their closing marks.
pub fn closed_pairs(text: &str, base: usize, layout: &Layout) -> Vec<(usize, TextRange)> {
    let mut pairs = Vec::new();
    for_each_paragraph(text, base, layout, |paragraph| {
        let range = paragraph.range();
        let body = &text[range.start - base..range.end - base];
        let urls = urls_in(body, range.start);
        let outside_urls = |offset: usize| !urls.iter().any(|(url, _)| url.contains(offset));
        unbalanced_pairs(
            body,
            range.start,
            &outside_urls,
            &mut Vec::new(),
            &mut |pair, at| {
                pairs.push((pair, at));
            },
        );
    });
    pairs
}

/// The problems of `text`, which starts at byte `base` of the document at a line start;
/// `next` is the first character of the text after it.
fn check(text: &str, base: usize, layout: &Layout, next: Option<char>) -> Vec<Problem> {
    let mut problems = Vec::new();
    // The block of paragraphs whose marks must balance (see `Layout::continues_block`), and
    // its last line.
    let mut block: Option<(TextRange, Line)> = None;
    for_each_paragraph(text, base, layout, |paragraph| {
        check_paragraph(text, base, layout, paragraph, &mut problems);
        let (Some(&first), Some(&last)) = (paragraph.lines.first(), paragraph.lines.last()) else {
            return;
        };
        match &mut block {
            Some((range, end)) if continues(text, base, layout, end, &first) => {
                range.end = last.content.end;
                *end = last;
            }
            _ => {
                let opens = text[first.content.start - base..].chars().next();
                if let Some((range, _)) = block.replace((paragraph.range(), last)) {
                    balance(text, base, range, opens, &mut problems);
                }
            }
        }
    });
    if let Some((range, _)) = block {
        balance(text, base, range, next, &mut problems);
    }
    problems.sort_by_key(|p: &Problem| p.range.start);
    problems
}

/// Whether the paragraph starting with `first` continues the block ending with `last`.
fn continues(text: &str, base: usize, layout: &Layout, last: &Line, first: &Line) -> bool {
    let between = &text[last.content.end - base..first.start - base];
    let adjacent = super::lines::line_spans(between).count() == 2;
    layout.continues_block(last, first, adjacent)
}

/// The unbalanced marks of the block `range`; `next` is the first character of the next.
fn balance(text: &str, base: usize, range: TextRange, next: Option<char>, out: &mut Vec<Problem>) {
    let body = &text[range.start - base..range.end - base];
    let urls = urls_in(body, range.start);
    let outside_urls = |offset: usize| !urls.iter().any(|(url, _)| url.contains(offset));
    let spans = code_and_maths(body, range.start);
    let checked = |offset: usize| outside_urls(offset) && !spans.iter().any(|s| s.contains(offset));
    let first = out.len();
    unbalanced_pairs(body, range.start, &checked, out, &mut |_, _| {});
    for problem in &mut out[first..] {
        if let ProblemKind::Unclosed { pair, continued } = &mut problem.kind {
            let opening = PAIRS.get(usize::from(*pair)).map(|&(open, _)| open);
            let at = problem.range.start - range.start;
            *continued = opening.is_some() && opening == opens_next_line(body, at, next);
        }
    }
}

/// The first character of the line after the one where a mark is at byte `at` of `body` (or
/// `next` after its last line). A quotation over several paragraphs opens each with its mark
/// (`『…` then `『…』`; `增加一条：“…` then `“…”`).
fn opens_next_line(body: &str, at: usize, next: Option<char>) -> Option<char> {
    let Some(line_end) = body[at..].find(['\n', '\r']) else {
        return next;
    };
    let rest = body[at + line_end..]
        .trim_start_matches(|c: char| c == '\n' || c == '\r' || super::headings::is_space(c));
    rest.chars().next().or(next)
}

/// The first character of the text at byte `offset` of `rope` (a line start), past the
/// spaces and marks `scan::trim` leaves out.
fn first_character(rope: &Rope, offset: usize) -> Option<char> {
    let line = rope.get_line(rope.try_byte_to_line(offset).ok()?)?;
    let line = line.to_string();
    let (_, content) = super::scan::trim(line.trim_end_matches(['\n', '\r']))?;
    content.chars().next()
}

/// The URLs of a paragraph's `body` (which starts at byte `base`), each with whether it is
/// written in pieces (across lines, or split by a stray space).
fn urls_in(body: &str, base: usize) -> Vec<(TextRange, bool)> {
    links(body)
        .into_iter()
        .map(|link| {
            let written = &body[link.range.start..link.range.end];
            let at = link.range.shifted(base);
            (at, written != link.target)
        })
        .collect()
}

fn check_paragraph(
    text: &str,
    base: usize,
    layout: &Layout,
    paragraph: &Paragraph,
    out: &mut Vec<Problem>,
) {
    let range = paragraph.range();
    let body = &text[range.start - base..range.end - base];
    // (Verse and lists end no sentence: their lines are set apart on purpose. A wrapped
    // heading's are not.)
    let prose = paragraph.is_heading() || (has_sentence_end(body) && layout.fills_lines(paragraph));
    if paragraph.is_spaced_out() && prose {
        let lines = u32::try_from(paragraph.lines.len()).unwrap_or(u32::MAX);
        out.push(Problem::new(ProblemKind::HardWrap { lines }, range));
    }
    for line in &paragraph.lines {
        let lead = &text[line.start - base..line.content.start - base];
        // (Before Latin text or a rule, a space sets verse, a reference's continuation or a
        // layout in on purpose.)
        let content = &text[line.content.start - base..];
        let first = content.chars().next();
        let before_text =
            first.is_some_and(|c| is_cjk(c) || c.is_ascii_digit()) || content.starts_with("http");
        if is_page_break_space(lead) && before_text {
            let spaces = TextRange::new(line.start, line.content.start);
            out.push(Problem::new(ProblemKind::PageBreakSpace, spaces));
        }
    }
    let urls = urls_in(body, range.start);
    for &(url, broken) in &urls {
        if broken {
            out.push(Problem::new(ProblemKind::BrokenUrl, url));
        }
    }
    let outside_urls = |offset: usize| !urls.iter().any(|(url, _)| url.contains(offset));
    let spans = code_and_maths(body, range.start);
    let checked = |offset: usize| outside_urls(offset) && !spans.iter().any(|s| s.contains(offset));
    half_width_punctuation(body, range.start, &checked, out);
}

/// The code spans (`` `…` ``) and the maths (`$…$`, `$$…$$`) of a paragraph's `body` (which
/// starts at byte `base`), marks included: their punctuation is no typography (`$f'(x)$`,
/// `` `a,b` ``).
fn code_and_maths(body: &str, base: usize) -> Vec<TextRange> {
    let bytes = body.as_bytes();
    let mut spans = Vec::new();
    let mut from = 0;
    while let Some(found) = memchr::memchr2(b'`', b'$', &bytes[from..]) {
        let start = from + found;
        let mark = bytes[start];
        let run = bytes[start..].iter().take_while(|&&b| b == mark).count();
        let fence = &body[start..start + run];
        let after = start + run;
        match body[after..].find(fence) {
            Some(at) => {
                let end = after + at + run;
                spans.push(TextRange::new(base + start, base + end));
                from = end;
            }
            None => from = after,
        }
    }
    spans
}

/// The ASCII spaces a page break leaves at a line's start: one. More are an indent, a centred
/// title or a right-aligned date, set so on purpose.
const MAX_PAGE_BREAK_SPACES: usize = 1;

/// Whether a paragraph's text ends a sentence somewhere (`。`, `！`, `？`, or `.` `!` `?`
/// before a space): prose does, verse and a list of titles need not.
fn has_sentence_end(body: &str) -> bool {
    memchr::memmem::find(body.as_bytes(), "。".as_bytes()).is_some()
        || body.contains(['！', '？'])
        || body
            .as_bytes()
            .windows(2)
            .any(|w| matches!(w, [b'.' | b'!' | b'?', b' ' | b'\n' | b'\r']))
}

/// Whether the spaces `lead` before a line's text are the stray space of a page break.
pub fn is_page_break_space(lead: &str) -> bool {
    (1..=MAX_PAGE_BREAK_SPACES).contains(&lead.len()) && lead.bytes().all(|b| b == b' ')
}

/// `,` `;` `:` `?` `!` between CJK characters, and `(…)` opened right after CJK text; the
/// problem's range takes the spaces between the mark and its CJK neighbours, which go with the
/// fix.
fn half_width_punctuation(
    body: &str,
    base: usize,
    outside_urls: &dyn Fn(usize) -> bool,
    out: &mut Vec<Problem>,
) {
    let cjk = |c: Option<char>| c.is_some_and(|c| is_cjk(c) || matches!(c, '“' | '”'));
    let mark_of = |c: char| {
        let mark = HALF_WIDTH
            .iter()
            .position(|&(half, _)| half == c)
            .unwrap_or(0);
        ProblemKind::HalfWidthPunctuation {
            mark: u8::try_from(mark).unwrap_or(0),
        }
    };
    let mut push = |kind: ProblemKind, start: usize, end: usize| {
        out.push(Problem::new(kind, TextRange::new(base + start, base + end)));
    };
    // The open parentheses: where each starts (with the spaces before it) and whether it
    // follows CJK text, which makes the pair one problem from `(` to `)`.
    let mut parens: Vec<(usize, bool)> = Vec::new();
    let bytes = body.as_bytes();
    // Half-width marks are rare in CJK text: find them three kinds at a time.
    let mut marks: Vec<usize> = memchr3_iter(b',', b';', b':', bytes)
        .chain(memchr3_iter(b'?', b'!', b'(', bytes))
        .chain(memchr_iter(b')', bytes))
        .collect();
    if marks.is_empty() {
        return;
    }
    marks.sort_unstable();
    // Inside `〔…〕` is an editor's or translator's remark (`〔訳注: …〕`), quoted as written.
    // (Looked at only for a mark that would be reported: they are few.)
    let in_remark = |at: usize| {
        let open = body[..at].rfind('〔');
        open.is_some_and(|open| !body[open..at].contains('〕') && body[at..].contains('〕'))
    };
    for at in marks {
        let byte = bytes[at];
        if !outside_urls(base + at) {
            continue;
        }
        let (before_gap, before) = neighbour(body[..at].chars().rev());
        let (after_gap, after) = neighbour(body[at + 1..].chars());
        match byte {
            _ if in_remark(at) => {}
            // `(21)`: a note's or an item's number, written as the text writes them.
            b'(' if is_parenthesized_number(&body[at..]) => {}
            b'(' => parens.push((at - before_gap, cjk(before))),
            b')' => {
                // (`明治28年(1885)`, `(a)`, `(*4)`: a year, an item letter or a note's number
                // is set as printed.)
                if let Some((start, true)) = parens.pop() {
                    let inside = body[start..at].trim_start_matches(|c| c != '(');
                    let inside = inside.trim_start_matches(['(', '*']);
                    let year_or_letter = inside.bytes().all(|b| b.is_ascii_digit())
                        || (inside.len() == 1 && inside.bytes().all(|b| b.is_ascii_alphabetic()));
                    if !year_or_letter {
                        let gap = if cjk(after) { after_gap } else { 0 };
                        push(mark_of('('), start, at + 1 + gap);
                    }
                }
            }
            _ if cjk(before) && cjk(after) => {
                push(
                    mark_of(char::from(byte)),
                    at - before_gap,
                    at + 1 + after_gap,
                );
            }
            _ => {}
        }
    }
    // An opening one never closed: the `(` alone.
    for (start, after_cjk) in parens {
        if after_cjk {
            let at = start + body[start..].find('(').unwrap_or(0);
            push(mark_of('('), start, at + 1);
        }
    }
}

/// Whether `text` starts with a number in parentheses (`(21)`), as markers past `⒇` are
/// written.
fn is_parenthesized_number(text: &str) -> bool {
    marker_style::read(text).is_some_and(|read| read.style == MarkerStyle::ParenNumber)
}

/// The first character that is not an ASCII space or a line break, and how many bytes of
/// spaces on the same line come before it (spaces across a line break are not the fix's).
fn neighbour(mut chars: impl Iterator<Item = char>) -> (usize, Option<char>) {
    let mut spaces = 0;
    let mut same_line = true;
    for c in chars.by_ref() {
        match c {
            ' ' if same_line => spaces += 1,
            ' ' => {}
            '\n' | '\r' => same_line = false,
            _ => return (spaces, Some(c)),
        }
    }
    (spaces, None)
}

/// Each opening mark without its closing one in the paragraph, and each closing mark without
/// its opening one; `matched` is told each pair that closes (its index in `PAIRS`, and the
/// range from the opening mark to the closing one).
fn unbalanced_pairs(
    body: &str,
    base: usize,
    outside_urls: &dyn Fn(usize) -> bool,
    out: &mut Vec<Problem>,
    matched: &mut dyn FnMut(usize, TextRange),
) {
    let mut open: [Vec<usize>; PAIRS.len()] = Default::default();
    // Every mark of `PAIRS` is three bytes starting 0xE2 (quotes), 0xE3 (CJK brackets) or
    // 0xEF (full-width parentheses): only those bytes are looked at.
    let bytes = body.as_bytes();
    for at in memchr3_iter(0xe2, 0xe3, 0xef, bytes) {
        // Most hits are other CJK punctuation (`、` `。` are E3 80 81/82) or kana: skip them
        // by their second and third bytes before decoding anything.
        let (second, third) = (bytes.get(at + 1), bytes.get(at + 2));
        let maybe_pair = match (bytes[at], second, third) {
            (0xe2, Some(0x80), Some(&b)) => matches!(b, 0x98 | 0x99 | 0x9c | 0x9d),
            (0xe3, Some(0x80), Some(&b)) => matches!(b, 0x88..=0x91 | 0x94 | 0x95),
            (0xef, Some(0xbc), Some(&b)) => matches!(b, 0x88 | 0x89),
            _ => false,
        };
        if !maybe_pair {
            continue;
        }
        let Some(c) = body[at..].chars().next() else {
            continue;
        };
        let pair_open = PAIRS.iter().position(|&(o, _)| o == c);
        let pair_close = PAIRS.iter().position(|&(_, close)| close == c);
        if (pair_open.is_none() && pair_close.is_none()) || !outside_urls(base + at) {
            continue;
        }
        // An apostrophe (don’t) is not a closing quote.
        let latin = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphabetic());
        let before = body[..at].chars().next_back();
        let next = body[at + c.len_utf8()..].chars().next();
        if c == '’' && latin(before) && latin(next) {
            continue;
        }
        let range = TextRange::new(base + at, base + at + c.len_utf8());
        if let Some(pair) = pair_open {
            open[pair].push(range.start);
        } else if let Some(pair) = pair_close {
            // `1）`, `２）` closing nothing: an item's or a note's number.
            let numbered = c == '）' && before.is_some_and(|b| digit_value(b).is_some());
            match open[pair].pop() {
                Some(start) => matched(pair, TextRange::new(start, range.end)),
                None if numbered => {}
                None => {
                    let pair = u8::try_from(pair).unwrap_or(0);
                    out.push(Problem::new(ProblemKind::Unopened { pair }, range));
                }
            }
        }
    }
    for (pair, starts) in open.iter().enumerate() {
        let (opening, _) = PAIRS[pair];
        for &start in starts {
            let range = TextRange::new(start, start + opening.len_utf8());
            let pair = u8::try_from(pair).unwrap_or(0);
            let kind = ProblemKind::Unclosed {
                pair,
                continued: false,
            };
            out.push(Problem::new(kind, range));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{expect, Expect};

    fn check_text(text: &str, expect: Expect) {
        let layout = Layout::printed(20);
        let rendered: Vec<String> = Lints::new(text, &layout)
            .iter()
            .map(|p| {
                format!(
                    "{} {:?} {}",
                    p.code().as_str(),
                    &text[p.range.start..p.range.end],
                    p.message()
                )
            })
            .collect();
        expect.assert_eq(&rendered.join("\n"));
    }

    #[test]
    fn pdf_scars() {
        check_text(
            " 一二三四五六七八九十\n\n 一二三四五六七八九十\n\n一二三。\n\n見 https://a.example/b-\n\nc/d 。\n",
            expect![[r#"
                page-break-space " " line starts with a stray space left by a page break
                hard-wrap "一二三四五六七八九十\n\n 一二三四五六七八九十\n\n一二三。" this paragraph's 3 printed lines are separated by blank lines (PDF extraction): join them
                page-break-space " " line starts with a stray space left by a page break
                hard-wrap "見 https://a.example/b-\n\nc/d 。" this paragraph's 2 printed lines are separated by blank lines (PDF extraction): join them
                broken-url "https://a.example/b-\n\nc/d" URL broken across lines: join its pieces"#]],
        );
    }

    #[test]
    fn half_width_punctuation_between_cjk() {
        check_text(
            "姿態，日本主要是采取“制衡”(balancing) 的做法 ,日本。\n\nTokyo, Japan (2023)。見 https://a.b/?x=1,2 。時間:下午〔訳注: 高天原〕\n\n明治28年(1885)刊、(a)助産婦、政治(*4)、乡(镇)。",
            expect![[r#"
                half-width-punctuation "(balancing) " half-width parentheses after CJK text: write （…）
                half-width-punctuation " ," half-width , between CJK characters: write ，
                half-width-punctuation ":" half-width : between CJK characters: write ：
                half-width-punctuation "(镇)" half-width parentheses after CJK text: write （…）"#]],
        );
    }

    fn problems_of(text: &str, layout: &Layout) -> Vec<String> {
        Lints::new(text, layout)
            .iter()
            .map(|p| {
                format!(
                    "{} {:?}",
                    p.code().as_str(),
                    &text[p.range.start..p.range.end]
                )
            })
            .collect()
    }

    #[test]
    fn an_indent_a_centred_title_and_a_date_are_no_page_break_space() {
        let text = " 一二三四五六七八九十一二三四五六七八九十。\n\n    縮進的段落，一二三四五六七八九十一二。\n\n          題目\n\n                    二〇二三年五月\n";
        assert_eq!(
            problems_of(text, &Layout::printed(20)),
            ["page-break-space \" \""]
        );
    }

    #[test]
    fn a_paragraph_s_adjacent_lines_balance_together_in_text_of_long_lines() {
        // Markdown: the lines of a paragraph follow each other; a blank line or an indent
        // starts the next.
        let text = "他說：「今天\n下雨了。」\n\n她說：「明天\n\n晴。」\n　　「後天\n　　陰。」";
        assert_eq!(
            problems_of(text, &Layout::printed(0)),
            [
                "unbalanced-punctuation \"「\"",
                "unbalanced-punctuation \"」\"",
                "unbalanced-punctuation \"「\"",
                "unbalanced-punctuation \"」\""
            ]
        );
    }

    #[test]
    fn verse_a_list_and_annotations_are_no_hard_wrap() {
        let verse = "籠を天地と眺めては一二三四五六七八九十\n\nなれが淋しき塔の上一二三四五六七八九\n\n  二つの空格的行";
        assert_eq!(problems_of(verse, &Layout::printed(20)), [] as [String; 0]);
        // An Aozora Bunko annotation alone on its line is no text.
        let prose = "一二三四五六七八九十\n\n［＃改ページ］\n\n一二三四五六七。";
        assert_eq!(
            problems_of(prose, &Layout::printed(20)),
            ["hard-wrap \"一二三四五六七八九十\\n\\n［＃改ページ］\\n\\n一二三四五六七。\""]
        );
    }

    #[test]
    fn code_and_maths_keep_their_punctuation() {
        let text = "函數$f‘(x)$在點，代碼 `a,b;c` 中，公式$$g(x)=1,2$$。";
        assert_eq!(problems_of(text, &Layout::printed(20)), [] as [String; 0]);
        assert_eq!(
            problems_of("甲,乙 `丙,丁` 戊:己", &Layout::printed(20)),
            [
                "half-width-punctuation \",\"",
                "half-width-punctuation \":\""
            ]
        );
    }

    #[test]
    fn unbalanced_pairs_in_a_paragraph() {
        check_text(
            "他說：「我們《論語》，還有」\n\n』don’t（甲）。\n\n新段落「。",
            expect![[r#"
                hard-wrap "他說：「我們《論語》，還有」\n\n』don’t（甲）。" this paragraph's 2 printed lines are separated by blank lines (PDF extraction): join them
                unbalanced-punctuation "』" 』 closes nothing: no 『 before it in this paragraph
                unbalanced-punctuation "「" 「 is never closed: no 」 after it in this paragraph"#]],
        );
    }
}
