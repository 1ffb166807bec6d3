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
	before = keepLast(escapeNonPrintable(before), maxSnippetBefore)
	high = keepFirst(escapeNonPrintable(high), maxSnippetHigh)
	room := max(0, maxSnippet-utf8.RuneCountInString(before)-utf8.RuneCountInString(high))
	after = keepFirst(escapeNonPrintable(after), room)
	return snippet{Code: before + high + after, Line: line, HighStart: len(before), HighEnd: len(before) + len(high)}
}

// keepFirst cuts s to its first n characters, marking the cut.
func keepFirst(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:max(0, n-len(snippetCut))]) + snippetCut
}

// keepLast cuts s to its last n characters, marking the cut.
func keepLast(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return snippetCut + string(r[len(r)-max(0, n-len(snippetCut)):])
}

// escapeNonPrintable writes control characters, other invisible characters
// and bytes that are not UTF-8 as escapes (\x00, \xff, \u200b). Tabs stay, so
// the carets still line up under the code.
func escapeNonPrintable(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\t' || (unicode.IsPrint(r) && r != utf8.RuneError):
			b.WriteString(s[i : i+size])
		case size == 1:
			// An ASCII control character or a byte that is not UTF-8: the
			// byte as it is in the file.
			fmt.Fprintf(&b, `\x%02x`, s[i])
		default:
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		}
		i += size
	}
	return b.String()
}

func clamp(v, lo, hi int) int {
	return max(lo, min(v, hi))
}
