package schemas

import (
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"

	"runner/schemas/diag"
)

// MaxFileSize is the largest pipeline or variable file read, in bytes. Real
// pipelines are a few kilobytes; the bound keeps a runaway file from being
// read into memory whole.
const MaxFileSize = 1 << 20

// MaxNesting is the deepest nesting a pipeline, variable file or -var value
// may have. The HCL parser recurses once per level, so without a bound a
// file of nested parentheses grows the stack until the process dies; the
// project's own pipelines nest fewer than ten levels.
const MaxNesting = 64

// FileTooLargeError reports a file over MaxFileSize.
type FileTooLargeError struct {
	Path string
	// Size is the file's size when known, else MaxFileSize+1.
	Size int64
}

func (e *FileTooLargeError) Error() string {
	return fmt.Sprintf("%s is %d bytes, over the limit of %d bytes (1 MiB)", e.Path, e.Size, MaxFileSize)
}

// ReadFileBounded reads a file of at most MaxFileSize bytes, reading no more
// than one byte past the limit whatever the file's size.
func ReadFileBounded(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(src) > MaxFileSize {
		size := int64(len(src))
		if info, err := f.Stat(); err == nil && info.Size() > size {
			size = info.Size()
		}
		return nil, &FileTooLargeError{Path: path, Size: size}
	}
	return src, nil
}

// sourceProblems checks a file's text before it is parsed: its size, that
// it is text (when kind names what it should be, "a pipeline file"), then
// its nesting depth.
func sourceProblems(filename string, src []byte, kind string) diag.Diagnostics {
	if len(src) > MaxFileSize {
		return diag.Diagnostics{tooLarge(&FileTooLargeError{Path: filename, Size: int64(len(src))})}
	}
	if kind != "" {
		if d := notTextProblem(filename, src, kind); d != nil {
			return diag.Diagnostics{d}
		}
	}
	if at, ok := tooDeep(src); ok {
		return diag.Diagnostics{errorAt(posRange(filename, src, at), "Nesting too deep",
			"The nesting here goes deeper than %d levels (brackets, braces, blocks, string interpolations, unary ! and -, and chained ? : conditionals each count one). Split the expression into smaller ones.", MaxNesting)}
	}
	return nil
}

// tooLarge is the diagnostic for a file over MaxFileSize.
func tooLarge(e *FileTooLargeError) *diag.Diagnostic {
	return sourceless("File too large", "%s; split the file or shorten it.", e.Error())
}

// readDiagnostic describes a failed read of a pipeline or variable file.
func readDiagnostic(err error, summary, detail string, args ...any) *diag.Diagnostic {
	var big *FileTooLargeError
	if errors.As(err, &big) {
		return tooLarge(big)
	}
	return sourceless(summary, detail+": %s.", append(args, readProblem(err))...)
}

// posRange is the one-character range at byte offset at of src.
func posRange(filename string, src []byte, at int) hcl.Range {
	line, lineStart := 1, 0
	for i := 0; i < at; i++ {
		if src[i] == '\n' {
			line, lineStart = line+1, i+1
		}
	}
	start := hcl.Pos{Line: line, Column: utf8.RuneCount(src[lineStart:at]) + 1, Byte: at}
	end := hcl.Pos{Line: line, Column: start.Column + 1, Byte: at + 1}
	return hcl.Range{Filename: filename, Start: start, End: end}
}

// frameKind is what opened a level of nesting.
type frameKind int

const (
	frameTop frameKind = iota
	frameParen
	frameBracket
	frameBrace
	frameInterp  // ${ or %{, closed by }
	frameQuote   // "…"
	frameHeredoc // <<EOF … EOF
)

// frame is one level of nesting. run counts the unary operators and
// conditionals in a row at this level: the parser recurses on each.
type frame struct {
	kind   frameKind
	run    int
	marker []byte // a heredoc's closing word
}

// depthScanner finds where a text nests deeper than MaxNesting, without
// parsing it: one pass, memory bounded by MaxNesting frames.
type depthScanner struct {
	src     []byte
	stack   []frame
	depth   int  // levels open plus every frame's run
	operand bool // the last token ends an operand, so - and ! are binary
}

// tooDeep returns the byte offset where src first nests deeper than
// MaxNesting.
func tooDeep(src []byte) (int, bool) {
	s := &depthScanner{src: src, stack: []frame{{kind: frameTop}}}
	for i := 0; i < len(src); {
		next, deep := s.step(i)
		if deep {
			return i, true
		}
		i = next
	}
	return 0, false
}

func (s *depthScanner) top() *frame { return &s.stack[len(s.stack)-1] }

// push opens a level; it reports whether the depth went over the limit.
func (s *depthScanner) push(f frame) bool {
	s.stack = append(s.stack, f)
	s.depth++
	s.operand = false
	return s.depth > MaxNesting
}

func (s *depthScanner) pop() {
	f := s.top()
	s.depth -= 1 + f.run
	s.stack = s.stack[:len(s.stack)-1]
}

// chain counts a unary operator or conditional at the current level.
func (s *depthScanner) chain() bool {
	s.top().run++
	s.depth++
	s.operand = false
	return s.depth > MaxNesting
}

// endChain resets the current level's run where an expression ends.
func (s *depthScanner) endChain() {
	f := s.top()
	s.depth -= f.run
	f.run = 0
	s.operand = false
}

// step scans the token at i and returns where the next one starts.
func (s *depthScanner) step(i int) (int, bool) {
	switch s.top().kind {
	case frameQuote, frameHeredoc:
		return s.stepTemplate(i)
	}
	return s.stepCode(i)
}

// stepTemplate scans template text: a quoted string or a heredoc's body.
func (s *depthScanner) stepTemplate(i int) (int, bool) {
	src, f := s.src, s.top()
	if f.kind == frameHeredoc && (i == 0 || src[i-1] == '\n') {
		if end, ok := heredocEnd(src, i, f.marker); ok {
			s.pop()
			s.operand = true
			return end, false
		}
	}
	switch {
	case f.kind == frameQuote && src[i] == '\\':
		return i + 2, false
	case f.kind == frameQuote && src[i] == '"':
		s.pop()
		s.operand = true
		return i + 1, false
	case hasPrefix(src, i, "$${"), hasPrefix(src, i, "%%{"):
		return i + 3, false
	case hasPrefix(src, i, "${"), hasPrefix(src, i, "%{"):
		return i + 2, s.push(frame{kind: frameInterp})
	}
	return i + 1, false
}

// stepCode scans expression and structure text.
func (s *depthScanner) stepCode(i int) (int, bool) {
	src := s.src
	c := src[i]
	switch {
	case c == '#', hasPrefix(src, i, "//"):
		return lineEnd(src, i), false
	case hasPrefix(src, i, "/*"):
		return blockCommentEnd(src, i), false
	case c == '"':
		return i + 1, s.push(frame{kind: frameQuote})
	case hasPrefix(src, i, "<<"):
		if marker, body, ok := heredocStart(src, i); ok {
			return body, s.push(frame{kind: frameHeredoc, marker: marker})
		}
	case c == '(':
		return i + 1, s.push(frame{kind: frameParen})
	case c == '[':
		return i + 1, s.push(frame{kind: frameBracket})
	case c == '{':
		return i + 1, s.push(frame{kind: frameBrace})
	case c == ')', c == ']', c == '}':
		s.close(c)
		return i + 1, false
	case c == ',', c == '\n' && s.endsAtNewline():
		s.endChain()
		return i + 1, false
	case c == ' ', c == '\t', c == '\r', c == '\n':
		return i + 1, false
	case hasPrefix(src, i, "!="):
		s.operand = false
		return i + 2, false
	case c == '?', (c == '!' || c == '-') && !s.operand:
		return i + 1, s.chain()
	case isWordByte(c):
		s.operand = true
		return i + 1, false
	}
	s.operand = false
	return i + 1, false
}

// endsAtNewline reports whether a newline ends an expression at the current
// level: it does in a block body or object, not inside ( ) or [ ].
func (s *depthScanner) endsAtNewline() bool {
	switch s.top().kind {
	case frameTop, frameBrace:
		return true
	}
	return false
}

// close pops the level a closing bracket ends. A bracket that matches
// nothing is left to the parser to report.
func (s *depthScanner) close(c byte) {
	k := s.top().kind
	matches := c == ')' && k == frameParen || c == ']' && k == frameBracket ||
		c == '}' && (k == frameBrace || k == frameInterp)
	if matches {
		s.pop()
		s.operand = true
	}
}

// heredocStart recognises <<WORD or <<-WORD followed by a newline, returning
// the word and where the body starts.
func heredocStart(src []byte, i int) ([]byte, int, bool) {
	j := i + 2
	if j < len(src) && src[j] == '-' {
		j++
	}
	start := j
	for j < len(src) && isWordByte(src[j]) {
		j++
	}
	if j == start {
		return nil, 0, false
	}
	marker := src[start:j]
	if j < len(src) && src[j] == '\r' {
		j++
	}
	if j >= len(src) || src[j] != '\n' {
		return nil, 0, false
	}
	return marker, j + 1, true
}

// heredocEnd reports whether the line at i closes a heredoc: optional
// indentation, the marker, then the end of the line.
func heredocEnd(src []byte, i int, marker []byte) (int, bool) {
	for i < len(src) && (src[i] == ' ' || src[i] == '\t') {
		i++
	}
	if !hasPrefix(src, i, string(marker)) {
		return 0, false
	}
	j := i + len(marker)
	if j < len(src) && src[j] == '\r' {
		j++
	}
	if j < len(src) && src[j] != '\n' {
		return 0, false
	}
	return j, true
}

func hasPrefix(src []byte, i int, prefix string) bool {
	return len(src)-i >= len(prefix) && string(src[i:i+len(prefix)]) == prefix
}

// lineEnd is the offset of the newline ending the line at i (kept, since a
// newline can end an expression), or the end of src.
func lineEnd(src []byte, i int) int {
	for i < len(src) && src[i] != '\n' {
		i++
	}
	return i
}

// blockCommentEnd is the offset just past the */ closing the comment at i.
func blockCommentEnd(src []byte, i int) int {
	for j := i + 2; j+1 < len(src); j++ {
		if src[j] == '*' && src[j+1] == '/' {
			return j + 2
		}
	}
	return len(src)
}

// isWordByte reports whether c can be part of an identifier or number; a -
// inside an identifier follows one, so the operand flag already covers it.
func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}
