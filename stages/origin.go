package stages

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
)

// OriginColumn is the hidden int64 column the CSV source adds to every
// batch. Each value is an Origin, and it survives every stage, so a check
// failure or a reject can always name the line a row came from.
const OriginColumn = "_origin"

// Origin identifies where a row came from: the index of its file among the
// files the source reads, and the 1-based line on which the row starts.
type Origin int64

const originLineBits = 40

// MakeOrigin packs a file index and a line number.
func MakeOrigin(file, line int) Origin {
	return Origin(int64(file)<<originLineBits | int64(line))
}

// File returns the index of the row's file.
func (o Origin) File() int { return int(int64(o) >> originLineBits) }

// Line returns the 1-based line on which the row starts.
func (o Origin) Line() int { return int(int64(o) & (1<<originLineBits - 1)) }

// String renders the origin as "line N" (with the file index when not 0).
func (o Origin) String() string {
	if o.File() == 0 {
		return fmt.Sprintf("line %d", o.Line())
	}
	return fmt.Sprintf("file %d line %d", o.File(), o.Line())
}

// OriginField is the schema field of OriginColumn.
var OriginField = arrow.Field{Name: OriginColumn, Type: arrow.PrimitiveTypes.Int64}

// RawColumn is the hidden binary column the CSV source adds next to
// OriginColumn: each row's text as it stood in the file, so a row rejected
// later (a cell that does not cast) is written to rejects.csv exactly. The
// columns stage drops it; nothing after that stage sees it.
const RawColumn = "_raw"

// RawField is the schema field of RawColumn.
var RawField = arrow.Field{Name: RawColumn, Type: arrow.BinaryTypes.Binary}
