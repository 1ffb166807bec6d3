package stages

// Reject is a row that left the stream because it could not be read or
// cast. It is written to rejects.csv; nothing about the row is lost.
type Reject struct {
	Origin Origin
	// Stage is the ID of the stage that rejected the row ("source.csv",
	// "columns").
	Stage string
	// Column names the pipeline column (or source field) at fault; empty
	// when the whole line is (wrong number of fields, unterminated quote).
	Column string
	// Value is the offending cell's text, when there is one.
	Value string
	// Reason says what is wrong and, where it can, what would be right:
	// `"abc" is not an int32`, `4 fields, the header has 15`.
	Reason string
	// Raw is the row's text as it stood in the file (without the line
	// ending), so it can be fixed and loaded again.
	Raw []byte
}
