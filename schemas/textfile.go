package schemas

import (
	"bytes"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"

	"runner/schemas/diag"
)

// notTextProblem reports src when it is not UTF-8 text: a byte that is not
// UTF-8, or a control character other than tab and line breaks (a NUL, the
// 0x1f that starts a gzip file). Such a file is binary or not the file meant,
// and parsing it would report every byte of it; kind names the file in the
// message ("a pipeline file").
func notTextProblem(filename string, src []byte, kind string) *diag.Diagnostic {
	off := firstNonTextByte(src)
	if off < 0 {
		return nil
	}
	lineStart := bytes.LastIndexByte(src[:off], '\n') + 1
	pos := hcl.Pos{
		Line:   bytes.Count(src[:off], []byte{'\n'}) + 1,
		Column: utf8.RuneCount(src[lineStart:off]) + 1,
		Byte:   off,
	}
	end := pos
	end.Column++
	end.Byte++
	return errorAt(hcl.Range{Filename: filename, Start: pos, End: end}, "Not a text file",
		"%s is not a text file: byte 0x%02x at line %d, column %d; %s is UTF-8 HCL.",
		filename, src[off], pos.Line, pos.Column, kind)
}

// firstNonTextByte returns the offset of the first byte that is not UTF-8
// text, or -1.
func firstNonTextByte(src []byte) int {
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRune(src[i:])
		if (r == utf8.RuneError && size == 1) || isControl(r) {
			return i
		}
		i += size
	}
	return -1
}

// isControl reports an ASCII control character that text does not hold.
func isControl(r rune) bool {
	return (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f
}
