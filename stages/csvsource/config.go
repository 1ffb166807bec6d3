package csvsource

import (
	"errors"
	"fmt"
	"runner/stages/plan"
)

// Defaults applied by Open and ReadHeader when a Config leaves them zero.
const (
	// DefaultBatchRows keeps a batch of the healthcare file near 1 MiB of
	// text: large enough to amortise per-batch costs, small enough that
	// memory stays flat.
	DefaultBatchRows = 8192
	// DefaultMaxRecordBytes bounds one record so that a quote that is never
	// closed cannot make the reader buffer the rest of the file.
	DefaultMaxRecordBytes = plan.DefaultMaxRecordBytes
	// maxRecordBytesLimit keeps every batch's int32 Arrow offsets in range:
	// a batch holds at most maxBatchBytes plus one record.
	maxRecordBytesLimit = plan.MaxRecordBytesLimit
	// maxBatchBytes ends a batch early when its raw text reaches this size,
	// so a file of very long rows still streams in bounded memory.
	maxBatchBytes = 64 << 20
)

// Config says which files to read and how their CSV is written. It mirrors
// plan.Source; the runner fills it from the plan.
type Config struct {
	// Paths are read one after another, in this order (the caller expands
	// globs).
	Paths []string
	// Header says the first line of every file names the fields.
	Header bool
	// FieldNames name the fields when Header is false.
	FieldNames []string
	// Delimiter separates fields; zero means ','.
	Delimiter byte
	// Quote encloses fields holding delimiters, quotes or line breaks;
	// zero disables quoting.
	Quote byte
	// Comment starts a line that is skipped; zero disables comments.
	Comment byte
	// NullValues: a cell exactly equal to one of these (after unquoting) is
	// null.
	NullValues []string
	// BatchRows is the most rows and rejects one batch carries; zero means
	// DefaultBatchRows.
	BatchRows int
	// Select names the fields to emit, in this order; the others are
	// parsed but not copied. Empty selects every field in file order.
	Select []string
	// MaxRecordBytes is the longest record accepted; a longer one is
	// rejected and reading resumes at the next line. Zero means
	// DefaultMaxRecordBytes.
	MaxRecordBytes int
}

// normalize returns cfg with defaults filled in, or an error naming the
// first setting that cannot work.
func (cfg Config) normalize() (Config, error) {
	if len(cfg.Paths) == 0 {
		return cfg, errors.New("csv source: no files to read")
	}
	if cfg.Delimiter == 0 {
		cfg.Delimiter = ','
	}
	if cfg.BatchRows <= 0 {
		cfg.BatchRows = DefaultBatchRows
	}
	if cfg.MaxRecordBytes <= 0 {
		cfg.MaxRecordBytes = DefaultMaxRecordBytes
	}
	if cfg.MaxRecordBytes > maxRecordBytesLimit {
		return cfg, fmt.Errorf("csv source: max_record_bytes is %d, the most accepted is %d", cfg.MaxRecordBytes, maxRecordBytesLimit)
	}
	if isLineBreak(cfg.Delimiter) || isLineBreak(cfg.Quote) || isLineBreak(cfg.Comment) {
		return cfg, errors.New("csv source: the delimiter, quote and comment characters cannot be line breaks")
	}
	if cfg.Delimiter == cfg.Quote {
		return cfg, fmt.Errorf("csv source: the delimiter and the quote are both %q", cfg.Delimiter)
	}
	if cfg.Comment != 0 && (cfg.Comment == cfg.Delimiter || cfg.Comment == cfg.Quote) {
		return cfg, fmt.Errorf("csv source: the comment character %q is also the delimiter or the quote", cfg.Comment)
	}
	return cfg, nil
}

func isLineBreak(c byte) bool { return c == '\n' || c == '\r' }
