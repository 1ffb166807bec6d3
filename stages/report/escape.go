package report

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// hidden reports whether r would act on a terminal or an editor instead of
// showing: C0 and C1 controls and DEL, the Unicode line and paragraph
// separators, and the bidirectional controls that reorder the text around
// them.
func hidden(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Bidi_Control, r)
}

// visible renders the hidden characters of s, and the bytes that are not
// UTF-8, as escapes a person can read: \t, \r, \n, \x1b, \u2028. Text from
// the data reaches the reports through it, so a value cannot move the
// cursor, colour a terminal or break a Markdown table. Newlines stay as
// they are when keepNewlines is set (prose that may span lines). Applying
// it twice gives the result of applying it once.
func visible(s string, keepNewlines bool) string {
	if utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return hidden(r) && !(keepNewlines && r == '\n') }) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n' && keepNewlines:
			b.WriteByte('\n')
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\n':
			b.WriteString(`\n`)
		case r < utf8.RuneSelf && hidden(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case hidden(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// escapeJSONHidden escapes, as \u sequences, the hidden characters that
// encoding/json leaves as they are (it escapes C0 controls and the line and
// paragraph separators itself): DEL, C1 controls and bidirectional
// controls. Outside strings JSON is plain ASCII, so every such character is
// inside a string, where the escape means the same character.
func escapeJSONHidden(data []byte) []byte {
	var out []byte
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if hidden(r) && r >= '\x7f' { // below DEL, encoding/json has escaped them
			if out == nil {
				out = append(make([]byte, 0, len(data)+16), data[:i]...)
			}
			out = fmt.Appendf(out, `\u%04x`, r)
		} else if out != nil {
			out = append(out, data[i:i+size]...)
		}
		i += size
	}
	if out == nil {
		return data
	}
	return out
}
