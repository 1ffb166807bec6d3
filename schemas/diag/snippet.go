package diag

import (
	"bytes"

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
	return snippet{Code: redacted, Line: r.Start.Line, HighStart: highStart, HighEnd: highEnd}, true
}

func clamp(v, lo, hi int) int {
	return max(lo, min(v, hi))
}
