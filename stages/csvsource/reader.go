package csvsource

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"runner/stages"
)

// StageID is the Stage of every reject the source returns.
const StageID = "source.csv"

// readBufferSize is how much of a file one read asks for: large enough that
// system calls cost nothing per row.
const readBufferSize = 1 << 20

// Stats counts what a Reader has read so far.
type Stats struct {
	// Rows is the number of data records seen, rejected ones included;
	// blank lines, comments and headers are not records.
	Rows int64
	// Rejected is the number of records returned as rejects.
	Rejected int64
	// Bytes is the number of bytes read from the files.
	Bytes int64
	// Files is the number of files opened.
	Files int
}

// Reader streams the records of one or more CSV files as Arrow record
// batches: the selected fields as nullable utf8 columns, then the hidden
// stages.OriginColumn and stages.RawColumn.
//
// A record follows RFC 4180: fields separated by the delimiter; a field
// enclosed in quotes may hold delimiters, line breaks and doubled quotes;
// lines end with LF or CRLF. A UTF-8 byte-order mark at the start of a file
// is skipped, and so are blank lines and lines starting with the comment
// character. A record's origin is the line it starts on.
//
// A record is rejected, and reading goes on, when it has the wrong number
// of fields, when a selected field is not valid UTF-8, when a quote appears
// inside an unquoted field or text follows a closing quote, when a quote is
// never closed, or when it is longer than MaxRecordBytes. A record that
// goes wrong after a quoted field has run onto the next line is taken to
// hold a quote that was never closed: only its first line is rejected, and
// reading resumes at the next line, so one stray quote never swallows the
// rest of the file.
//
// A Reader is not safe for concurrent use.
type Reader struct {
	ctx    context.Context
	cfg    Config
	mem    memory.Allocator
	d      *dialect
	nulls  nullSet
	header []string
	schema *arrow.Schema
	// sel holds, for each output column, the index of its field.
	sel []int

	scan scanner
	// file is the file being read (nil between files), fileIndex its
	// index in cfg.Paths.
	file      *os.File
	fileIndex int
	// bytesDone counts the bytes of the files already closed.
	bytesDone int64

	// fields is the parser's scratch list of the current record's fields.
	fields []span

	// The batch being built: rows rows so far, and the rejects met.
	cols    []textColumn
	origin  originColumn
	raw     textColumn
	rows    int
	rejects []stages.Reject

	batch arrow.RecordBatch
	stats Stats
	err   error
	done  bool
}

// Open checks every file's header (so a mismatch fails before anything is
// loaded) and returns a Reader positioned before the first record. Arrow
// memory comes from mem.
func Open(ctx context.Context, cfg Config, mem memory.Allocator) (*Reader, error) {
	return open(ctx, cfg, mem, readBufferSize)
}

// open is Open with the size of the read buffer, which tests shrink to
// make records straddle reads.
func open(ctx context.Context, cfg Config, mem memory.Allocator, bufSize int) (*Reader, error) {
	cfg, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	var header []string
	if cfg.Header {
		if header, err = readHeaders(cfg); err != nil {
			return nil, err
		}
	} else {
		if len(cfg.FieldNames) == 0 {
			return nil, errors.New("csv source: header is false, so field_names must name the fields")
		}
		header = cfg.FieldNames
		if err := checkUnique("csv source: field_names", header); err != nil {
			return nil, err
		}
	}
	sel, err := selectFields(cfg.Paths[0], header, cfg.Select)
	if err != nil {
		return nil, err
	}
	fields := make([]arrow.Field, 0, len(sel)+2)
	for _, i := range sel {
		if name := header[i]; name == stages.OriginColumn || name == stages.RawColumn {
			return nil, fmt.Errorf("csv source: field %q has the name of a column the source adds; leave it out with select, or rename it", name)
		}
		fields = append(fields, arrow.Field{Name: header[i], Type: arrow.BinaryTypes.String, Nullable: true})
	}
	fields = append(fields, stages.OriginField, stages.RawField)
	r := &Reader{
		ctx:    ctx,
		cfg:    cfg,
		mem:    mem,
		d:      newDialect(cfg.Delimiter, cfg.Quote),
		nulls:  newNullSet(cfg.NullValues),
		header: header,
		schema: arrow.NewSchema(fields, nil),
		sel:    sel,
		scan:   scanner{ctx: ctx, buf: make([]byte, bufSize), limit: cfg.MaxRecordBytes + 2},
		fields: make([]span, 0, len(header)),
		cols:   make([]textColumn, len(sel)),
	}
	return r, nil
}

// readHeaders reads the header of every file: the first must name each
// field once, and the others must equal it.
func readHeaders(cfg Config) ([]string, error) {
	var first []string
	for i, path := range cfg.Paths {
		h, err := ReadHeader(path, cfg)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			if err := checkUnique(path+": header", h); err != nil {
				return nil, err
			}
			first = h
			continue
		}
		if err := compareHeaders(cfg.Paths[0], path, first, h); err != nil {
			return nil, err
		}
	}
	return first, nil
}

// Schema returns the schema of every batch: the selected fields (utf8,
// nullable), then stages.OriginField and stages.RawField.
func (r *Reader) Schema() *arrow.Schema { return r.schema }

// Header returns the names of the fields of the files, in file order.
func (r *Reader) Header() []string { return r.header }

// RecordBatch returns the current batch, valid until the next call to Next
// (Retain it to keep it). It has no rows when every record it covered was
// rejected.
func (r *Reader) RecordBatch() arrow.RecordBatch { return r.batch }

// Rejects returns the records rejected while reading the current batch.
func (r *Reader) Rejects() []stages.Reject { return r.rejects }

// Err returns the error that stopped the reader, if any.
func (r *Reader) Err() error { return r.err }

// Stats returns the counts so far.
func (r *Reader) Stats() Stats {
	s := r.stats
	s.Bytes = r.bytesDone + r.scan.read
	return s
}

// Next reads the next batch of at most BatchRows rows and rejects. It
// returns false at the end of the files or on an error (see Err).
func (r *Reader) Next() bool {
	if r.batch != nil {
		r.batch.Release()
		r.batch = nil
	}
	r.rejects = nil
	if r.err != nil || r.done {
		return false
	}
	if err := r.ctx.Err(); err != nil {
		r.fail(err)
		return false
	}
	r.startBatch()
	for r.rows+len(r.rejects) < r.cfg.BatchRows && r.raw.n < maxBatchBytes {
		if r.file == nil {
			if r.fileIndex == len(r.cfg.Paths) {
				r.done = true
				break
			}
			if err := r.openFile(); err != nil {
				r.fail(err)
				return false
			}
		}
		more, err := r.readRecord()
		if err != nil {
			r.fail(err)
			return false
		}
		if !more {
			if err := r.closeFile(); err != nil {
				r.fail(err)
				return false
			}
		}
	}
	if r.rows == 0 && len(r.rejects) == 0 {
		r.releaseBatch()
		return false
	}
	r.finishBatch()
	return true
}

// Close releases the current batch and closes the file being read.
func (r *Reader) Close() error {
	if r.batch != nil {
		r.batch.Release()
		r.batch = nil
	}
	r.releaseBatch()
	r.done = true
	return r.closeFile()
}

func (r *Reader) fail(err error) {
	r.err = err
	r.rejects = nil
	r.releaseBatch()
	if cerr := r.closeFile(); cerr != nil {
		r.err = errors.Join(err, cerr)
	}
}

func (r *Reader) openFile() error {
	path := r.cfg.Paths[r.fileIndex]
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("csv source: %w", err)
	}
	r.file = f
	r.stats.Files++
	r.scan.reset(f, path)
	if !r.cfg.Header {
		return r.scan.skipBOM()
	}
	h, err := readHeader(&r.scan, r.cfg, r.d)
	if err != nil {
		return err
	}
	// Open compared every header; compare again in case the file changed.
	return compareHeaders(r.cfg.Paths[0], path, r.header, h)
}

func (r *Reader) closeFile() error {
	if r.file == nil {
		return nil
	}
	err := r.file.Close()
	r.file = nil
	r.bytesDone += r.scan.read
	r.scan.read = 0
	r.fileIndex++
	if err != nil {
		return fmt.Errorf("csv source: %w", err)
	}
	return nil
}

func (r *Reader) startBatch() {
	n := r.cfg.BatchRows
	for i := range r.cols {
		r.cols[i].start(r.mem, n)
	}
	r.origin.start(r.mem, n)
	r.raw.start(r.mem, n)
	r.rows = 0
}

// releaseBatch drops a batch that is being built.
func (r *Reader) releaseBatch() {
	for i := range r.cols {
		r.cols[i].release()
	}
	r.origin.release()
	r.raw.release()
	r.rows = 0
}

func (r *Reader) finishBatch() {
	cols := make([]arrow.Array, 0, len(r.cols)+2)
	for i := range r.cols {
		cols = append(cols, r.cols[i].finish(arrow.BinaryTypes.String, r.rows))
	}
	cols = append(cols, r.origin.finish(r.rows), r.raw.finish(arrow.BinaryTypes.Binary, r.rows))
	r.batch = array.NewRecordBatch(r.schema, cols, int64(r.rows))
	for _, c := range cols {
		c.Release()
	}
}

// readRecord consumes one record of the current file, adding it to the
// batch or to the rejects. It returns false at the end of the file.
func (r *Reader) readRecord() (bool, error) {
	s := &r.scan
	if found, err := s.skipBlank(r.cfg.Comment); err != nil || !found {
		return false, err
	}
	limit := r.cfg.MaxRecordBytes
	for {
		res, fields := r.d.parse(s.buf[:s.end], s.pos, s.eof, r.fields)
		r.fields = fields
		switch res.status {
		case statusRecord:
			if res.end-s.pos <= limit {
				r.accept(res)
				return true, nil
			}
			return true, r.rejectTooLong(res)
		case statusMore:
			if s.end-s.pos <= limit+1 {
				if err := s.fill(); err != nil {
					return false, err
				}
				continue
			}
			return true, r.rejectTooLong(res)
		case statusBad:
			if res.firstBreak >= 0 {
				return true, r.rejectLine(r.column(res.breakField), unterminatedReason(r.label(res.breakField), res.breakQuote-s.pos+1))
			}
			// The fault is on the record's first line: reject that line,
			// once its end is buffered (or known to be too far).
			if bytes.IndexByte(s.buf[s.pos:s.end], '\n') < 0 && !s.eof && s.end-s.pos <= limit+1 {
				if err := s.fill(); err != nil {
					return false, err
				}
				continue
			}
			return true, r.rejectLine(r.column(res.faultField), faultReason(res, s.pos, r.d.quote, r.label))
		}
	}
}

// rejectTooLong rejects the first line of a record that runs past
// MaxRecordBytes. When a quoted field carried the record past its first
// line, the quote is named: it is most likely never closed.
func (r *Reader) rejectTooLong(res parsed) error {
	limit := r.cfg.MaxRecordBytes
	if res.firstBreak < 0 {
		return r.rejectLine("", longReason(limit))
	}
	return r.rejectLine(r.column(res.breakField), unclosedWithinReason(r.label(res.breakField), res.breakQuote-r.scan.pos+1, limit))
}

// rejectLine rejects the line at the scanner's position and moves past it,
// however long it is. A line longer than MaxRecordBytes is rejected as
// such, with its raw text cut at that length. The caller has buffered the
// line's end, or more than MaxRecordBytes of it.
func (r *Reader) rejectLine(column, reason string) error {
	s := &r.scan
	limit := r.cfg.MaxRecordBytes
	end, whole := s.end, s.eof
	if nl := bytes.IndexByte(s.buf[s.pos:s.end], '\n'); nl >= 0 {
		end, whole = s.pos+nl, true
	}
	if whole {
		end = trimCR(s.buf, s.pos, end)
	}
	if !whole || end-s.pos > limit {
		end = s.pos + min(limit, end-s.pos)
		column, reason = "", longReason(limit)
	}
	r.addReject(stages.MakeOrigin(r.fileIndex, s.line), column, "", reason, s.buf[s.pos:end])
	return s.skipLine()
}

func (r *Reader) addReject(origin stages.Origin, column, value, reason string, raw []byte) {
	r.stats.Rows++
	r.stats.Rejected++
	r.rejects = append(r.rejects, stages.Reject{
		Origin: origin,
		Stage:  StageID,
		Column: column,
		Value:  value,
		Reason: reason,
		Raw:    bytes.Clone(raw),
	})
}

// accept adds a well-formed record to the batch, or rejects it when its
// field count or encoding is wrong.
func (r *Reader) accept(res parsed) {
	s := &r.scan
	text := s.buf[s.pos:res.end]
	origin := stages.MakeOrigin(r.fileIndex, s.line)
	s.line += 1 + countBreaks(text, res)
	s.pos = res.next

	fields := r.fields
	if len(fields) != len(r.header) {
		r.addReject(origin, "", "", fieldCountReason(len(fields), len(r.header), r.cfg.Header), text)
		return
	}
	if !utf8.Valid(text) {
		if i, at, ok := r.invalidField(s.buf, fields); ok {
			value := strings.ToValidUTF8(string(s.buf[fields[i].start:fields[i].end]), "\uFFFD")
			r.addReject(origin, r.header[i], value, utf8Reason(r.header[i], at), text)
			return
		}
	}
	r.stats.Rows++
	row := r.rows
	for c, i := range r.sel {
		col := &r.cols[c]
		f := fields[i]
		text := s.buf[f.start:f.end]
		switch {
		case f.escaped:
			col.appendUnescaped(row, text, r.d.quote)
			if r.nulls.match(col.value(row)) {
				col.setNull(r.mem, row, r.cfg.BatchRows)
			} else {
				col.setValid(row)
			}
		case r.nulls.match(text):
			col.setNull(r.mem, row, r.cfg.BatchRows)
		default:
			col.append(row, text)
			col.setValid(row)
		}
	}
	r.origin.values[row] = int64(origin)
	r.raw.append(row, text)
	r.rows++
}

// invalidField finds the first selected field that is not valid UTF-8 and
// the 1-based byte of the field where the bad encoding starts. Fields that
// are not selected are never looked at: they are not loaded.
func (r *Reader) invalidField(buf []byte, fields []span) (field, at int, found bool) {
	for _, i := range r.sel {
		text := buf[fields[i].start:fields[i].end]
		if utf8.Valid(text) {
			continue
		}
		for off := 0; off < len(text); {
			c, size := utf8.DecodeRune(text[off:])
			if c == utf8.RuneError && size <= 1 {
				return i, off + 1, true
			}
			off += size
		}
	}
	return 0, 0, false
}

// label names field i in a reason: its quoted header name, or its 1-based
// number when the record has more fields than the header.
func (r *Reader) label(i int) string {
	if i < len(r.header) {
		return strconv.Quote(r.header[i])
	}
	return strconv.Itoa(i + 1)
}

// column is the Reject.Column of field i: its name, or empty past the
// header's end.
func (r *Reader) column(i int) string {
	if i < len(r.header) {
		return r.header[i]
	}
	return ""
}

// nullSet tells whether a cell is one of the configured null values.
type nullSet struct {
	values []string
	// lengths has bit n set when a value is n bytes long (n < 64), and
	// long says a value is longer: most cells are rejected by their length
	// without comparing any bytes.
	lengths uint64
	long    bool
}

func newNullSet(values []string) nullSet {
	n := nullSet{values: values}
	for _, v := range values {
		if len(v) < 64 {
			n.lengths |= 1 << len(v)
		} else {
			n.long = true
		}
	}
	return n
}

func (n *nullSet) match(cell []byte) bool {
	if len(cell) < 64 {
		if n.lengths&(1<<len(cell)) == 0 {
			return false
		}
	} else if !n.long {
		return false
	}
	for _, v := range n.values {
		if string(cell) == v {
			return true
		}
	}
	return false
}
