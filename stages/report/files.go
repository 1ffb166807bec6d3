package report

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"runner/stages"
)

// File names inside a run's folder.
const (
	RunJSONFile     = "run.json"
	CleaningFile    = "cleaning.md"
	QualityFile     = "quality.csv"
	RejectsFile     = "rejects.csv"
	latestLink      = "latest"
	reportFileMode  = 0o600
	reportDirectory = 0o750
)

// Scrub replaces secrets in rendered output; the runner passes one that
// removes sensitive variable values. nil leaves output as it is.
type Scrub func([]byte) []byte

// NewDir creates the folder of one run, <root>/<pipeline>-<runID>, and
// points <root>/latest at it (where symbolic links are supported), so the
// newest reports are always at the same path.
func NewDir(root, pipeline, runID string) (string, error) {
	dir := filepath.Join(root, pipeline+"-"+runID)
	if err := os.MkdirAll(dir, reportDirectory); err != nil {
		return "", fmt.Errorf("create report folder: %w", err)
	}
	link := filepath.Join(root, latestLink)
	if err := os.Remove(link); err != nil && !errors.Is(err, os.ErrNotExist) {
		return dir, nil // a regular file named latest is the user's; leave it
	}
	_ = os.Symlink(filepath.Base(dir), link) // best effort: not every file system has links
	return dir, nil
}

func writeFile(dir, name string, data []byte, scrub Scrub) error {
	if scrub != nil {
		data = scrub(data)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, reportFileMode); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// WriteJSON writes run.json. Hidden characters from the data are escaped,
// so that reading the file on a terminal shows them rather than obeys them.
func WriteJSON(dir string, run *Run, scrub Scrub) error {
	data, err := json.MarshalIndent(run, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", RunJSONFile, err)
	}
	return writeFile(dir, RunJSONFile, append(escapeJSONHidden(data), '\n'), scrub)
}

// WriteQualityCSV writes quality.csv: one line per column of the loaded rows.
func WriteQualityCSV(dir string, run *Run, scrub Scrub) error {
	var buf bytesBuffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"column", "type", "count", "nulls", "distinct", "distinct_exact", "min", "max", "mean", "min_length", "max_length"})
	for _, q := range run.Quality {
		mean := ""
		if q.Mean != nil {
			mean = strconv.FormatFloat(*q.Mean, 'f', -1, 64)
		}
		lengths := []string{"", ""}
		if q.Type == "utf8" {
			lengths = []string{strconv.Itoa(q.MinLength), strconv.Itoa(q.MaxLength)}
		}
		_ = w.Write(append([]string{q.Column, q.Type, itoa(q.Count), itoa(q.Nulls), itoa(q.Distinct),
			strconv.FormatBool(q.DistinctExact), q.Min, q.Max, mean}, lengths...))
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("encode %s: %w", QualityFile, err)
	}
	return writeFile(dir, QualityFile, buf, scrub)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// bytesBuffer is the smallest io.Writer over a byte slice.
type bytesBuffer []byte

func (b *bytesBuffer) Write(p []byte) (int, error) {
	*b = append(*b, p...)
	return len(p), nil
}

// RejectsWriter streams rejected rows to rejects.csv as the run finds them.
type RejectsWriter struct {
	path    string
	f       *os.File
	w       *csv.Writer
	files   []string
	mask    func(column string) bool
	rows    int64
	reasons []Reason
}

// CreateRejects creates rejects.csv in dir with its header. files maps an
// Origin's file index to the file's path; sensitive reports whether a
// column's values must be masked in the value field (the raw line is kept,
// so the row can be fixed and loaded again; the file's mode protects it).
func CreateRejects(dir string, files []string, sensitive func(column string) bool) (*RejectsWriter, error) {
	path := filepath.Join(dir, RejectsFile)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, reportFileMode)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	w := csv.NewWriter(f)
	if err := w.Write([]string{"file", "line", "column", "value", "reason", "raw"}); err != nil {
		f.Close()
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return &RejectsWriter{path: path, f: f, w: w, files: files, mask: sensitive}, nil
}

// Write appends rejects.
func (r *RejectsWriter) Write(rejects []stages.Reject) error {
	for _, rj := range rejects {
		file := ""
		if i := rj.Origin.File(); i < len(r.files) {
			file = r.files[i]
		}
		value := rj.Value
		if rj.Column != "" && r.mask != nil && r.mask(rj.Column) {
			value = MaskedValue
		}
		if err := r.w.Write([]string{file, strconv.Itoa(rj.Origin.Line()), rj.Column, value, rj.Reason, string(rj.Raw)}); err != nil {
			return fmt.Errorf("write %s: %w", r.path, err)
		}
		r.count(rj)
	}
	return nil
}

func (r *RejectsWriter) count(rj stages.Reject) {
	r.rows++
	for i := range r.reasons {
		if r.reasons[i].Column == rj.Column {
			r.reasons[i].Rows++
			return
		}
	}
	r.reasons = append(r.reasons, Reason{Column: rj.Column, Rows: 1, Example: rj.Reason})
}

// Rows returns how many rejects were written.
func (r *RejectsWriter) Rows() int64 { return r.rows }

// Reasons returns the rejects grouped by column, in order of first appearance.
func (r *RejectsWriter) Reasons() []Reason { return append([]Reason(nil), r.reasons...) }

// Close flushes and closes the file.
func (r *RejectsWriter) Close() error {
	r.w.Flush()
	werr := r.w.Error()
	cerr := r.f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		return fmt.Errorf("close %s: %w", r.path, err)
	}
	return nil
}

// MaskedValue stands in for the value of a sensitive column in every report.
const MaskedValue = "(sensitive)"
