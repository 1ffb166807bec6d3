package report

import (
	"fmt"
	"time"
)

// Status is how a run ended.
type Status string

const (
	StatusSucceeded    Status = "succeeded"
	StatusChecksFailed Status = "checks_failed"
	StatusFailed       Status = "failed"
	StatusCancelled    Status = "cancelled"
)

// Run is everything a run reports, the content of run.json.
type Run struct {
	Pipeline   string    `json:"pipeline"`
	File       string    `json:"file"`
	RunID      string    `json:"run_id"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	Seconds    float64   `json:"seconds"`
	Status     Status    `json:"status"`
	// Error says why a run failed, in the words the terminal showed.
	Error          string         `json:"error,omitempty"`
	DryRun         bool           `json:"dry_run"`
	Variables      []Variable     `json:"variables,omitempty"`
	Source         Source         `json:"source"`
	Target         Target         `json:"target"`
	Stages         []Stage        `json:"stages"`
	Reconciliation Reconciliation `json:"reconciliation"`
	Checks         []Check        `json:"checks"`
	Verification   *Verification  `json:"verification,omitempty"`
	Cleaning       []Cleaning     `json:"cleaning"`
	Dedup          *Dedup         `json:"dedup,omitempty"`
	Quality        []Quality      `json:"quality"`
	Rejects        Rejects        `json:"rejects"`
	Runtime        Runtime        `json:"runtime"`
	// Files lists the report files of this run, relative to its folder.
	Files []string `json:"files"`
}

// Variable is an input variable as the run saw it; sensitive values read
// "(sensitive)".
type Variable struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Origin string `json:"origin"`
}

// Source describes what was read.
type Source struct {
	Path  string   `json:"path"`
	Files []string `json:"files"`
	Bytes int64    `json:"bytes"`
}

// Target describes where documents went and what the database did with them.
type Target struct {
	// URI is redacted (no password) or "embedded (<dir>)".
	URI            string `json:"uri"`
	Database       string `json:"database"`
	Collection     string `json:"collection"`
	Mode           string `json:"mode"`
	Inserted       int64  `json:"inserted"`
	AlreadyPresent int64  `json:"already_present"`
	Upserted       int64  `json:"upserted"`
	Replaced       int64  `json:"replaced"`
	Batches        int64  `json:"batches"`
	Retries        int64  `json:"retries"`
	Bytes          int64  `json:"bytes"`
	Swapped        bool   `json:"swapped"`
	// Recovered says how an interrupted swap of the target, left by an
	// earlier run, was repaired before this run began.
	Recovered string `json:"recovered,omitempty"`
	// Seconds is the time the writes took; IndexSeconds the time the
	// indexes took to build after them.
	Seconds      float64 `json:"seconds"`
	IndexSeconds float64 `json:"index_seconds"`
}

// Stage is one stage's counts and time.
type Stage struct {
	ID           string `json:"id"`
	RowsIn       int64  `json:"rows_in"`
	RowsOut      int64  `json:"rows_out"`
	RowsRejected int64  `json:"rows_rejected"`
	RowsRemoved  int64  `json:"rows_removed"`
	// Seconds is the time spent in the stage, summed over the goroutines
	// that ran it (stages overlap, so their sum exceeds the wall time).
	Seconds       float64 `json:"seconds"`
	RowsPerSecond float64 `json:"rows_per_second"`
}

// Reconciliation proves that no row vanished: every row read was
// rejected, removed as a duplicate, loaded, staged and discarded, or left
// unprocessed by a run that stopped early.
type Reconciliation struct {
	RowsRead         int64 `json:"rows_read"`
	RowsRejected     int64 `json:"rows_rejected"`
	RowsDeduplicated int64 `json:"rows_deduplicated"`
	// RowsLoaded counts the rows whose documents are in the target after
	// the run (in a dry run, that would have been).
	RowsLoaded int64 `json:"rows_loaded"`
	// RowsDiscarded counts the rows whose documents went into the staging
	// collection of a replace load that a failed check then dropped: they
	// never reached the target.
	RowsDiscarded int64 `json:"rows_discarded"`
	// RowsNotProcessed counts the rows read that a run stopped before it
	// could load (a count limit on rejects stops at the batch that passes
	// it): neither rejected nor duplicates, and not loaded.
	RowsNotProcessed int64 `json:"rows_not_processed"`
	Holds            bool  `json:"holds"`
}

// Accounted is the sum of the rows every outcome claims; it equals
// RowsRead when the reconciliation holds.
func (r Reconciliation) Accounted() int64 {
	return r.RowsRejected + r.RowsDeduplicated + r.RowsLoaded + r.RowsDiscarded + r.RowsNotProcessed
}

// Equation renders the reconciliation for people, with the terms that
// apply: "55,500 read = 2 rejected + 532 duplicates + 54,966 loaded"; loaded
// is the word for the rows in the target.
func (r Reconciliation) Equation(loaded string) string {
	s := fmt.Sprintf("%s read = %s rejected + %s duplicates + %s %s", Thousands(r.RowsRead), Thousands(r.RowsRejected),
		Thousands(r.RowsDeduplicated), Thousands(r.RowsLoaded), loaded)
	if r.RowsDiscarded > 0 {
		s += fmt.Sprintf(" + %s staged and discarded", Thousands(r.RowsDiscarded))
	}
	if r.RowsNotProcessed > 0 {
		s += fmt.Sprintf(" + %s not processed", Thousands(r.RowsNotProcessed))
	}
	return s
}

// Check is a check's outcome.
type Check struct {
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Severity string `json:"severity"`
	// Status is "passed", "failed" (error severity), "warned" (warn
	// severity) or "skipped" (the run stopped before the check could run).
	Status      string   `json:"status"`
	Message     string   `json:"message,omitempty"`
	Declared    string   `json:"declared"`
	RowsChecked int64    `json:"rows_checked"`
	Failures    int64    `json:"failures"`
	Tolerated   string   `json:"tolerated"`
	Detail      string   `json:"detail,omitempty"`
	Samples     []Sample `json:"samples,omitempty"`
}

// Sample is one failing row, by its line, with the values that matter.
type Sample struct {
	Line   int     `json:"line"`
	File   string  `json:"file,omitempty"`
	Values []Value `json:"values,omitempty"`
	Note   string  `json:"note,omitempty"`
}

// Value is a named value in a sample.
type Value struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Verification is what the in-database check found.
type Verification struct {
	Passed           bool             `json:"passed"`
	Expected         int64            `json:"expected"`
	Found            int64            `json:"found"`
	DigestMatch      bool             `json:"digest_match"`
	DuplicateIDs     int64            `json:"duplicate_ids"`
	TypeMismatches   []TypeMismatch   `json:"type_mismatches,omitempty"`
	Types            []PathTypes      `json:"types,omitempty"`
	Sampled          int              `json:"sampled"`
	SampleMismatches []SampleMismatch `json:"sample_mismatches,omitempty"`
	// Served documents were read through the server and compared with
	// what the embedded store's files hold.
	Served           int     `json:"served,omitempty"`
	ServedMismatches int     `json:"served_mismatches,omitempty"`
	Seconds          float64 `json:"seconds"`
}

// TypeMismatch is a document path whose BSON types differ between what was
// sent and what landed.
type TypeMismatch struct {
	Path string `json:"path"`
	Sent string `json:"sent"`
	Got  string `json:"got"`
}

// PathTypes tallies the BSON types found at one document path.
type PathTypes struct {
	Path  string `json:"path"`
	Types string `json:"types"`
}

// SampleMismatch is a field of a sampled document that did not come back as
// it was sent.
type SampleMismatch struct {
	Line int    `json:"line"`
	ID   string `json:"id"`
	Path string `json:"path"`
	Want string `json:"want"`
	Got  string `json:"got"`
}

// Cleaning is what the columns stage changed in one column.
type Cleaning struct {
	Column string `json:"column"`
	From   string `json:"from,omitempty"`
	Type   string `json:"type"`
	// Steps is the clean list and expression, as written.
	Steps string `json:"steps,omitempty"`
	// Changed counts values whose final text differs from the source text.
	Changed         int64     `json:"changed"`
	Nulls           int64     `json:"nulls"`
	CastFailures    int64     `json:"cast_failures"`
	OnError         string    `json:"on_error"`
	DefaultsApplied int64     `json:"defaults_applied"`
	RequiredMissing int64     `json:"required_missing"`
	Sensitive       bool      `json:"sensitive,omitempty"`
	Examples        []Example `json:"examples,omitempty"`
}

// Example is one value before and after the columns stage.
type Example struct {
	Line   int    `json:"line"`
	Before string `json:"before"`
	After  string `json:"after"`
}

// Dedup is what duplicate removal did.
type Dedup struct {
	Keys    string `json:"keys"`
	Keep    string `json:"keep"`
	Removed int64  `json:"removed"`
	// Lines are the first removed rows' lines.
	Lines []int `json:"lines,omitempty"`
}

// Quality is one column's statistics over the loaded rows.
type Quality struct {
	Column        string   `json:"column"`
	Type          string   `json:"type"`
	Count         int64    `json:"count"`
	Nulls         int64    `json:"nulls"`
	Distinct      int64    `json:"distinct"`
	DistinctExact bool     `json:"distinct_exact"`
	Min           string   `json:"min"`
	Max           string   `json:"max"`
	Mean          *float64 `json:"mean,omitempty"`
	MinLength     int      `json:"min_length,omitempty"`
	MaxLength     int      `json:"max_length,omitempty"`
}

// Rejects summarises rejects.csv.
type Rejects struct {
	Rows    int64    `json:"rows"`
	File    string   `json:"file"`
	Reasons []Reason `json:"reasons,omitempty"`
	// Limit is the pipeline's max_rejects, and Exceeded says whether the run
	// failed because of it.
	Limit    string `json:"limit"`
	Exceeded bool   `json:"exceeded"`
}

// Reason counts the rejected rows whose first fault is in one column
// ("" for faults of the whole line), with the first such reason as example.
type Reason struct {
	Column  string `json:"column"`
	Rows    int64  `json:"rows"`
	Example string `json:"example"`
}

// Runtime is what the run cost the machine.
type Runtime struct {
	CPUSeconds   float64 `json:"cpu_seconds"`
	PeakRSSBytes int64   `json:"peak_rss_bytes"`
	// KeySetBytes is the memory of the key sets of dedup and of the unique
	// and similar_except checks at their largest: they hold a fixed-size
	// hash per distinct key to the end of the pass, so they are the part
	// of the peak that grows with the data.
	KeySetBytes int64  `json:"key_set_bytes"`
	GoVersion   string `json:"go_version"`
	CPUs        int    `json:"cpus"`
	Version     string `json:"version"`
}
