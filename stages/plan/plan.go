package plan

import (
	"time"
)

// Plan is a compiled pipeline. See the package documentation.
type Plan struct {
	Name        string     `json:"name"`
	Description string     `json:"description,omitempty"`
	Range       Range      `json:"range"`
	Variables   []Variable `json:"variables,omitempty"`
	Source      Source     `json:"source"`
	// Columns are the pipeline's columns in declaration order, which is also
	// the order of the typed batches the engine builds.
	Columns []Column `json:"columns"`
	// Order lists indexes into Columns in evaluation order: every column
	// after the columns its expression reads.
	Order    []int    `json:"order"`
	Dedup    *Dedup   `json:"dedup,omitempty"`
	Document Document `json:"document"`
	Target   Target   `json:"target"`
	Checks   []Check  `json:"checks,omitempty"`
	Report   Report   `json:"report"`
	// Stages is the stage graph in execution order with the schema at every
	// edge, as `runner plan` prints it.
	Stages []Stage `json:"stages"`
	// Secrets are the values of sensitive variables; every output the
	// runner writes replaces them with "(sensitive)". Never serialised.
	Secrets []string `json:"-"`
}

// Column returns the column with the given name and its index in Columns.
func (p *Plan) Column(name string) (*Column, int) {
	for i := range p.Columns {
		if p.Columns[i].Name == name {
			return &p.Columns[i], i
		}
	}
	return nil, -1
}

// Variable is a resolved input variable.
type Variable struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Description string `json:"description,omitempty"`
	// Value is the value in pipeline-file syntax, or "(sensitive)".
	Value     string `json:"value"`
	Sensitive bool   `json:"sensitive,omitempty"`
	// Origin says where the value came from: "default", "-var",
	// "-var-file <path>" or "env RUNNER_VAR_<name>".
	Origin string `json:"origin"`
	Range  Range  `json:"range"`
}

// Limit is a tolerance counted in rows or as a share of rows.
type Limit struct {
	// Count is the number of rows tolerated when Share is zero.
	Count int64 `json:"count,omitempty"`
	// Share, in (0, 1), is the fraction of rows tolerated.
	Share float64 `json:"share,omitempty"`
	// Unlimited tolerates any number.
	Unlimited bool `json:"unlimited,omitempty"`
}

// Exceeded reports whether n bad rows out of total break the limit.
func (l Limit) Exceeded(n, total int64) bool {
	switch {
	case l.Unlimited:
		return false
	case l.Share > 0:
		return float64(n) > l.Share*float64(total)
	}
	return n > l.Count
}

// String renders the limit as a pipeline file writes it.
func (l Limit) String() string {
	switch {
	case l.Unlimited:
		return "unlimited"
	case l.Share > 0:
		return FloatValue(l.Share).String()
	}
	return IntValue(l.Count).String()
}

// Source describes where rows come from. Only CSV exists today.
type Source struct {
	Format string `json:"format"`
	// Path is a file path or a glob, relative to the working directory.
	// Files matching a glob are read in lexical order, one after another.
	Path      string `json:"path"`
	PathRange Range  `json:"path_range"`
	Header    bool   `json:"header"`
	// FieldNames name the fields when Header is false.
	FieldNames []string `json:"field_names,omitempty"`
	Delimiter  byte     `json:"delimiter"`
	// Quote is the quoting character; zero disables quoting.
	Quote byte `json:"quote"`
	// Comment starts a line that is skipped; zero disables comments.
	Comment    byte     `json:"comment,omitempty"`
	NullValues []string `json:"null_values,omitempty"`
	// Encoding is "utf-8"; a leading byte-order mark is skipped either way.
	Encoding  string `json:"encoding"`
	BatchRows int    `json:"batch_rows"`
	// MaxRecordBytes is the longest record read whole; a longer one is
	// rejected (DefaultMaxRecordBytes when zero).
	MaxRecordBytes int   `json:"max_record_bytes,omitempty"`
	MaxRejects     Limit `json:"max_rejects"`
	Range          Range `json:"range"`
}

// Bounds of Source.MaxRecordBytes: the default keeps a quote that is never
// closed from buffering the rest of the file; the limit keeps a batch's
// int32 Arrow offsets in range.
const (
	DefaultMaxRecordBytes = 1 << 20
	MaxRecordBytesLimit   = 256 << 20
)

// Column is one column of the pipeline: read from a source field and cast,
// or derived from other columns.
type Column struct {
	Name string `json:"name"`
	// From names the source field; empty for a derived column.
	From      string `json:"from,omitempty"`
	FromRange Range  `json:"from_range"`
	Type      Type   `json:"type"`
	// Format is the Go layout for date and timestamp casts.
	Format string `json:"format,omitempty"`
	// Zone is the IANA zone of timestamps whose layout has none.
	Zone string `json:"zone,omitempty"`
	// Scale is the number of decimal places of a decimal128 column.
	Scale int `json:"scale,omitempty"`
	// Clean maps the source text (ExprSelf, a string) before the cast; nil
	// when the column has no clean list.
	Clean *Expr `json:"clean,omitempty"`
	// Expr computes the final value from self (the value after clean and
	// cast, null for a derived column) and other columns.
	Expr *Expr `json:"expr,omitempty"`
	// Default replaces a null final value.
	Default  *Value  `json:"default,omitempty"`
	Required bool    `json:"required,omitempty"`
	OnError  OnError `json:"on_error"`
	// Sensitive values are masked in plans, logs and reports; the database
	// still receives them (pseudonymise with sha256 to keep them out).
	Sensitive bool  `json:"sensitive,omitempty"`
	Range     Range `json:"range"`
}

// Derived reports whether the column has no source field.
func (c *Column) Derived() bool { return c.From == "" }

// Dedup removes rows whose key columns equal an earlier (or later) row's.
type Dedup struct {
	// Keys are the key column names; every column when AllColumns.
	Keys       []string `json:"keys"`
	AllColumns bool     `json:"all_columns,omitempty"`
	Keep       Keep     `json:"keep"`
	Range      Range    `json:"range"`
}

// Document is the template every kept row becomes.
type Document struct {
	Fields []*DocField `json:"fields"`
	// OmitNulls leaves out a field whose value is null instead of storing
	// a BSON null.
	OmitNulls bool  `json:"omit_nulls"`
	Range     Range `json:"range"`
}

// IDField returns the explicit top-level _id field, or nil when the runner
// derives _id from Target.IDKeys.
func (d *Document) IDField() *DocField {
	for _, f := range d.Fields {
		if f.Name == "_id" {
			return f
		}
	}
	return nil
}

// DocField is a field of the document template: a leaf computed by Expr, or
// an object of Fields.
type DocField struct {
	Name   string      `json:"name"`
	Expr   *Expr       `json:"expr,omitempty"`
	Fields []*DocField `json:"fields,omitempty"`
	Range  Range       `json:"range"`
}

// Target is the MongoDB collection the documents go to.
type Target struct {
	Kind string `json:"kind"`
	// URI is a MongoDB connection string; empty selects the embedded store.
	// It may carry credentials: print it only through a redactor.
	URI        string `json:"-"`
	URIRange   Range  `json:"uri_range"`
	Database   string `json:"database"`
	Collection string `json:"collection"`
	Mode       Mode   `json:"mode"`
	// IDKeys are the columns whose hash is each document's _id when the
	// document template has no _id field: the dedup keys by default, so
	// that re-runs never duplicate and two kept rows never collide.
	IDKeys       []string      `json:"id_keys,omitempty"`
	BatchDocs    int           `json:"batch_docs"`
	BatchBytes   int           `json:"batch_bytes"`
	Writers      int           `json:"writers"`
	WriteConcern WriteConcern  `json:"write_concern"`
	Timeout      time.Duration `json:"timeout"`
	TLS          TLS           `json:"tls"`
	Indexes      []Index       `json:"indexes,omitempty"`
	// EmbeddedDir is where the embedded store keeps its files.
	EmbeddedDir string `json:"embedded_dir"`
	Range       Range  `json:"range"`
}

// WriteConcern is the acknowledgement each bulk write waits for.
type WriteConcern struct {
	// W is "majority" or a number of members, as text.
	W       string `json:"w"`
	Journal bool   `json:"journal"`
}

// TLS configures the connection to the target.
type TLS struct {
	Enabled bool `json:"enabled"`
	// CAFile verifies the server; empty uses the system roots.
	CAFile string `json:"ca_file,omitempty"`
	// CertFile and KeyFile authenticate the client (KeyFile may be empty
	// when CertFile holds both).
	CertFile string `json:"cert_file,omitempty"`
	KeyFile  string `json:"key_file,omitempty"`
	// Insecure skips verifying the server certificate (testing only).
	Insecure bool `json:"insecure,omitempty"`
}

// Index is an index created on the target collection after the load.
type Index struct {
	Name   string     `json:"name"`
	Keys   []IndexKey `json:"keys"`
	Unique bool       `json:"unique,omitempty"`
	Range  Range      `json:"range"`
}

// IndexKey is one field of an index: a dotted document path and 1 or -1.
type IndexKey struct {
	Field     string `json:"field"`
	Direction int    `json:"direction"`
}

// Check is a condition the data must meet, before the load (on the kept
// rows) or after it (in the database).
type Check struct {
	Name     string    `json:"name"`
	Kind     CheckKind `json:"kind"`
	Severity Severity  `json:"severity"`
	Assert   *Expr     `json:"assert,omitempty"`
	// Columns: the key of unique, the columns of not_null, the one column
	// of accepted_values, the columns that may differ for similar_except.
	Columns []string `json:"columns,omitempty"`
	Values  []Value  `json:"values,omitempty"`
	MinRows *int64   `json:"min_rows,omitempty"`
	MaxRows *int64   `json:"max_rows,omitempty"`
	// MaxFailures is how many failing rows the check tolerates.
	MaxFailures Limit `json:"max_failures"`
	// Sample is how many documents in_database compares field by field.
	Sample  int    `json:"sample,omitempty"`
	Message string `json:"message,omitempty"`
	Range   Range  `json:"range"`
}

// Report says where and in which formats a run's reports are written.
type Report struct {
	Dir string `json:"dir"`
	// Formats is a subset of "json" (run.json), "markdown" (cleaning.md)
	// and "csv" (quality.csv); rejects.csv is always written.
	Formats []string `json:"formats"`
	Range   Range    `json:"range"`
}

// ReportFormats lists the accepted report formats.
var ReportFormats = []string{"json", "markdown", "csv"}

// StageKind names a kind of stage.
type StageKind string

const (
	StageSource   StageKind = "source"
	StageColumns  StageKind = "columns"
	StageDedup    StageKind = "dedup"
	StageChecks   StageKind = "checks"
	StageDocument StageKind = "document"
	StageTarget   StageKind = "target"
	StageVerify   StageKind = "verify"
	StageReport   StageKind = "report"
)

// Stage is a step of the stage graph with the schema on its input and output
// edges. Document paths are dotted ("patient.name").
type Stage struct {
	ID      string    `json:"id"`
	Kind    StageKind `json:"kind"`
	Summary string    `json:"summary"`
	Input   []Field   `json:"input,omitempty"`
	Output  []Field   `json:"output,omitempty"`
}

// Field is one column or document path on a stage edge.
type Field struct {
	Name     string `json:"name"`
	Type     Type   `json:"type"`
	Nullable bool   `json:"nullable,omitempty"`
}
