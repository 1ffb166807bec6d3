package plan

import "fmt"

// Pos is a position in a pipeline file: 1-based line and column (in
// characters), and 0-based byte offset.
type Pos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

// Range is the span of source text a plan element was compiled from, so that
// a problem found later (a missing CSV header, a failed check) can point back
// at the line that declared it.
type Range struct {
	Filename string `json:"filename"`
	Start    Pos    `json:"start"`
	End      Pos    `json:"end"`
}

// String renders the range as file:line:column, the form editors jump to.
func (r Range) String() string {
	if r.Filename == "" && r.Start.Line == 0 {
		return "<no source>"
	}
	return fmt.Sprintf("%s:%d:%d", r.Filename, r.Start.Line, r.Start.Column)
}
