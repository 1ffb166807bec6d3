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

// NewDir creates the folder of one run, <root>/<pipeline>-<runID>. The
// runner points <root>/latest at it with PointLatest once every report in
// it is written.
func NewDir(root, pipeline, runID string) (string, error) {
	dir := filepath.Join(root, pipeline+"-"+runID)
	if err := os.MkdirAll(dir, reportDirectory); err != nil {
		return "", fmt.Errorf("create report folder: %w", err)
	}
	return dir, nil
}

// PointLatest points latest, next to the run folder dir, at it, so the
// newest complete reports are always at the same path. The link is made
// under a temporary name and renamed over the old one, so latest never
// names a missing or half-written folder. A regular file or folder named
// latest is the user's and stays; a file system without symbolic links
// gets none.
func PointLatest(dir string) error {
	root := filepath.Dir(dir)
	link := filepath.Join(root, latestLink)
	if info, err := os.Lstat(link); err == nil && info.Mode()&os.ModeSymlink == 0 {
		return nil
	}
	tmp := filepath.Join(root, "."+latestLink+"-"+filepath.Base(dir))
	if err := os.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("point %s at %s: %w", link, dir, err)
	}
	if err := os.Symlink(filepath.Base(dir), tmp); err != nil {
		return nil // best effort: not every file system has links
	}
	if err := os.Rename(tmp, link); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("point %s at %s: %w", link, dir, err)
	}
	syncDir(root)
	return nil
}

// writeFile writes a report file atomically: into a temporary file in the
// same folder, synced, then renamed to its name. A write that fails part way
// leaves no file under the report's name.
func writeFile(dir, name string, data []byte, scrub Scrub) error {
	if scrub != nil {
		data = scrub(data)
	}
	path := filepath.Join(dir, name)
	f, err := createTemp(dir, name)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		discardTemp(f)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return commitTemp(f, path)
}

// createTemp creates the temporary file a report is written into before it
// takes its name: hidden, in the report's folder (a rename is atomic only
// within one file system), mode 0600.
func createTemp(dir, name string) (*os.File, error) {
	f, err := os.CreateTemp(dir, "."+name+".*.tmp")
	if err != nil {
		return nil, err
	}
	if err := f.Chmod(reportFileMode); err != nil {
		discardTemp(f)
		return nil, err
	}
	return f, nil
}

// commitTemp syncs and closes a temporary file and renames it to path.
func commitTemp(f *os.File, path string) error {
	if err := f.Sync(); err != nil {
		discardTemp(f)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	syncDir(filepath.Dir(path))
	return nil
}

// discardTemp closes and removes a temporary file that will not be renamed.
func discardTemp(f *os.File) {
	_ = f.Close()
	_ = os.Remove(f.Name())
}

// syncDir makes a rename in dir durable. Best effort: some file systems
// refuse to sync a folder, and the rename has happened either way.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
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

// CreateRejects starts rejects.csv in dir with its header. files maps an
// Origin's file index to the file's path; sensitive reports whether a
// column's values must be masked in the value field (the raw line is kept,
// so the row can be fixed and loaded again; the file's mode protects it).
// The rows go to a temporary file that Close renames to rejects.csv, so
// the name only ever holds a complete file.
func CreateRejects(dir string, files []string, sensitive func(column string) bool) (*RejectsWriter, error) {
	path := filepath.Join(dir, RejectsFile)
	f, err := createTemp(dir, RejectsFile)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	w := csv.NewWriter(f)
	if err := w.Write([]string{"file", "line", "column", "value", "reason", "raw"}); err != nil {
		discardTemp(f)
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

// Close flushes the rows and gives the file its name, rejects.csv; after
// a failed write it removes the temporary file instead.
func (r *RejectsWriter) Close() error {
	r.w.Flush()
	if err := r.w.Error(); err != nil {
		discardTemp(r.f)
		return fmt.Errorf("write %s: %w", r.path, err)
	}
	return commitTemp(r.f, r.path)
}

// MaskedValue stands in for the value of a sensitive column in every report.
const MaskedValue = "(sensitive)"
