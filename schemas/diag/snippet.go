package diag

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"runner/stages/plan"
)

// snippet is the source line a subject starts on, with the highlighted part
// as byte offsets into Code. The text and JSON renderings share it so that
// both show the same thing.
type snippet struct {
	Code      string
	Line      int
	HighStart int
	HighEnd   int
}

// snippetFor finds the subject's first line in sources. Ranges are clamped to
// the source, so a range that does not fit the text (a source edited since)
// still renders instead of failing.
func snippetFor(r *plan.Range, sources map[string][]byte) (snippet, bool) {
	if r == nil {
		return snippet{}, false
	}
	src, ok := sources[r.Filename]
	if !ok {
		return snippet{}, false
	}
	start := clamp(r.Start.Byte, 0, len(src))
	lineStart := bytes.LastIndexByte(src[:start], '\n') + 1
	lineEnd := len(src)
	if i := bytes.IndexByte(src[start:], '\n'); i >= 0 {
		lineEnd = start + i
	}
	code := string(bytes.TrimRight(src[lineStart:lineEnd], "\r"))
	highStart := clamp(start-lineStart, 0, len(code))
	highEnd := clamp(r.End.Byte-lineStart, highStart, len(code))
	// A line may hold a connection string with its password: the snippet
	// shows it redacted, and the highlight moves with the shorter text.
	redacted := plan.RedactURIs(code)
	highStart = clamp(len(plan.RedactURIs(code[:highStart])), 0, len(redacted))
	highEnd = clamp(len(plan.RedactURIs(code[:highEnd])), highStart, len(redacted))
	return fitted(redacted[:highStart], redacted[highStart:highEnd], redacted[highEnd:], r.Start.Line), true
}

// Snippet limits, in characters: a line of a minified or binary file would
// otherwise fill the terminal.
const (
	maxSnippetBefore = 40
	maxSnippetHigh   = 60
	maxSnippet       = 120
)

// snippetCut marks where a snippet leaves out part of its line.
const snippetCut = "..."

// fitted builds the snippet of a line split into the text before the
// highlight, the highlight and the text after it: non-printable characters
// and bytes that are not UTF-8 are escaped so they cannot garble the
// terminal, and each part is cut to keep the line short.
func fitted(before, high, after string, line int) snippet {
	b := keepLast(escaped(before), maxSnippetBefore)
	h := keepFirst(escaped(high), maxSnippetHigh)
	room := max(0, maxSnippet-utf8.RuneCountInString(b)-utf8.RuneCountInString(h))
	a := keepFirst(escaped(after), room)
	return snippet{Code: b + h + a, Line: line, HighStart: len(b), HighEnd: len(b) + len(h)}
}

// keepFirst joins the first pieces that fit in n characters, marking a cut.
// Cutting between pieces keeps an escape whole.
func keepFirst(pieces []string, n int) string {
	if width(pieces) <= n {
		return strings.Join(pieces, "")
	}
	var b strings.Builder
	room := n - len(snippetCut)
	for _, p := range pieces {
		if room -= utf8.RuneCountInString(p); room < 0 {
			break
		}
		b.WriteString(p)
	}
	return b.String() + snippetCut
}

// keepLast joins the last pieces that fit in n characters, marking a cut.
func keepLast(pieces []string, n int) string {
	if width(pieces) <= n {
		return strings.Join(pieces, "")
	}
	room := n - len(snippetCut)
	i := len(pieces)
	for i > 0 && room-utf8.RuneCountInString(pieces[i-1]) >= 0 {
		room -= utf8.RuneCountInString(pieces[i-1])
		i--
	}
	return snippetCut + strings.Join(pieces[i:], "")
}

// width is how many characters the pieces take on a line.
func width(pieces []string) int {
	n := 0
	for _, p := range pieces {
		n += utf8.RuneCountInString(p)
	}
	return n
}

// escaped splits s into one piece per character, writing control
// characters, other invisible characters and bytes that are not UTF-8 as
// escapes (\x00, \xff, \u200b). Tabs stay, so the carets still line up under
// the code.
func escaped(s string) []string {
	var pieces []string
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\t' || (unicode.IsPrint(r) && r != utf8.RuneError):
			pieces = append(pieces, s[i:i+size])
		case size == 1:
			// An ASCII control character or a byte that is not UTF-8: the
			// byte as it is in the file.
			pieces = append(pieces, fmt.Sprintf(`\x%02x`, s[i]))
		default:
			q := strconv.QuoteRune(r)
			pieces = append(pieces, q[1:len(q)-1])
		}
		i += size
	}
	return pieces
}

func clamp(v, lo, hi int) int {
	return max(lo, min(v, hi))
}
