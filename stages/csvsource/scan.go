package csvsource

import (
	"bytes"
	"context"
	"fmt"
	"io"
)

// span is one field of a record: buf[start:end] of the read buffer, without
// its enclosing quotes. escaped says the text holds doubled quotes that
// must be collapsed when the field is copied.
type span struct {
	start, end int
	escaped    bool
}

// status is what parsing one record found.
type status uint8

const (
	// statusRecord: a complete, well-formed record.
	statusRecord status = iota
	// statusMore: the record runs past the buffered bytes; read more and
	// parse it again from its start.
	statusMore
	// statusBad: the record is not valid CSV (see fault).
	statusBad
)

// fault is why a record is not valid CSV.
type fault uint8

const (
	faultUnterminated fault = iota + 1 // a quoted field never closes
	faultBareQuote                     // a quote inside an unquoted field
	faultAfterQuote                    // text between a closing quote and the delimiter
)

// parsed describes the record found at a position of the read buffer.
type parsed struct {
	status status
	// end is where the record's text ends (its line ending excluded) and
	// next where the following record starts.
	end, next int
	// firstBreak is the position of the first line break inside a quoted
	// field, or -1. A record that breaks after such a line break most
	// likely holds a quote that was never closed, so the reader rejects
	// only its first line and resumes at the next one.
	firstBreak int
	// breakField is the index of the field holding firstBreak and
	// breakQuote the position of the quote that opens it.
	breakField, breakQuote int
	fault                  fault
	// faultAt is the buffer position of the fault, faultField the index
	// of the field it is in.
	faultAt, faultField int
}

// dialect is the parsing half of a Config: the delimiter and the quote
// (zero when quoting is off).
type dialect struct {
	delim, quote byte
}

func newDialect(delim, quote byte) *dialect {
	return &dialect{delim: delim, quote: quote}
}

// parse delimits the record that starts at buf[pos], appending its fields
// to fields[:0]. eof says buf holds the rest of the file. It never copies:
// the spans point into buf.
func (d *dialect) parse(buf []byte, pos int, eof bool, fields []span) (parsed, []span) {
	fields = fields[:0]
	lineEnd, next := len(buf), len(buf)
	if nl := bytes.IndexByte(buf[pos:], '\n'); nl >= 0 {
		lineEnd, next = pos+nl, pos+nl+1
	} else if !eof {
		return parsed{status: statusMore, firstBreak: -1}, fields
	}
	if d.quote != 0 {
		if q := bytes.IndexByte(buf[pos:lineEnd], d.quote); q >= 0 {
			return d.parseQuoted(buf, pos, pos+q, lineEnd, eof, fields)
		}
	}
	// Fast path: no quote on the line, so every delimiter splits a field.
	end := trimCR(buf, pos, lineEnd)
	for i := pos; ; {
		j := bytes.IndexByte(buf[i:end], d.delim)
		if j < 0 {
			fields = append(fields, span{start: i, end: end})
			break
		}
		fields = append(fields, span{start: i, end: i + j})
		i += j + 1
	}
	return parsed{status: statusRecord, end: end, next: next, firstBreak: -1}, fields
}

// parseQuoted is the RFC 4180 state machine for a record whose first line
// holds a quote (the first at quoteAt); such a record may span several
// lines. lineEnd is the end of the line being parsed: the position of its
// '\n', or len(buf) when the file ends without one. Every field, quoted or
// not, is found with bytes.IndexByte.
func (d *dialect) parseQuoted(buf []byte, pos, quoteAt, lineEnd int, eof bool, fields []span) (parsed, []span) {
	p := parsed{firstBreak: -1}
	n := len(buf)
	for i := pos; ; {
		if i == quoteAt {
			open := i
			i++
			start, escaped := i, false
			for {
				k := bytes.IndexByte(buf[i:], d.quote)
				if k < 0 {
					k = n - i
				}
				if p.firstBreak < 0 && i+k > lineEnd && lineEnd < n {
					// The first line break after pos ends the first line.
					p.firstBreak, p.breakField, p.breakQuote = lineEnd, len(fields), open
				}
				if i+k == n {
					if !eof {
						p.status = statusMore
						return p, fields
					}
					p.status, p.fault, p.faultAt, p.faultField = statusBad, faultUnterminated, open, len(fields)
					return p, fields
				}
				i += k + 1
				if i < n && buf[i] == d.quote {
					escaped = true
					i++
					continue
				}
				if i == n && !eof {
					p.status = statusMore // the next byte may double this quote
					return p, fields
				}
				break
			}
			fields = append(fields, span{start: start, end: i - 1, escaped: escaped})
			if i-1 > lineEnd {
				// The field ran onto later lines: find the end of its last.
				if nl := bytes.IndexByte(buf[i:], '\n'); nl >= 0 {
					lineEnd = i + nl
				} else if !eof {
					p.status = statusMore
					return p, fields
				} else {
					lineEnd = n
				}
			}
			switch {
			case i == n:
				p.status, p.end, p.next = statusRecord, n, n
				return p, fields
			case buf[i] == d.delim:
				i++
			case i == lineEnd:
				p.status, p.end, p.next = statusRecord, i, i+1
				return p, fields
			case buf[i] == '\r' && i+1 == lineEnd:
				p.status, p.end, p.next = statusRecord, i, min(i+2, n)
				return p, fields
			default:
				p.status, p.fault, p.faultAt, p.faultField = statusBad, faultAfterQuote, i, len(fields)-1
				return p, fields
			}
			quoteAt = n + 1 // past any field: the line holds no more quotes
			if q := bytes.IndexByte(buf[i:lineEnd], d.quote); q >= 0 {
				quoteAt = i + q
			}
			continue
		}
		end := lineEnd
		if j := bytes.IndexByte(buf[i:lineEnd], d.delim); j >= 0 {
			end = i + j
		}
		if quoteAt < end {
			p.status, p.fault, p.faultAt, p.faultField = statusBad, faultBareQuote, quoteAt, len(fields)
			return p, fields
		}
		if end == lineEnd {
			recEnd := trimCR(buf, i, end)
			fields = append(fields, span{start: i, end: recEnd})
			p.status, p.end, p.next = statusRecord, recEnd, min(lineEnd+1, n)
			return p, fields
		}
		fields = append(fields, span{start: i, end: end})
		i = end + 1
	}
}

// trimCR returns end, less one when buf[start:end] ends with '\r': the CR
// of a CRLF line ending belongs to no field.
func trimCR(buf []byte, start, end int) int {
	if end > start && buf[end-1] == '\r' {
		return end - 1
	}
	return end
}

// scanner holds one file's bytes as they are read: buf[pos:end] is read
// but not consumed, and pos is the start of line number line.
type scanner struct {
	ctx  context.Context
	src  io.Reader
	path string
	buf  []byte
	pos  int
	end  int
	eof  bool
	line int
	// read counts the bytes read from src.
	read int64
	// limit is the buffer size fill never grows beyond: enough to hold a
	// record of max_record_bytes and its line ending.
	limit int
}

// reset points s at a new file, keeping its buffer.
func (s *scanner) reset(src io.Reader, path string) {
	s.src, s.path = src, path
	s.pos, s.end, s.eof, s.line, s.read = 0, 0, false, 1, 0
}

// fill reads more of the file after the unconsumed bytes, moving them to
// the front of the buffer and growing it when they fill it.
func (s *scanner) fill() error {
	if err := s.ctx.Err(); err != nil {
		return err
	}
	if s.pos > 0 {
		s.end = copy(s.buf, s.buf[s.pos:s.end])
		s.pos = 0
	}
	if s.end == len(s.buf) {
		// One record fills the buffer: double it, up to what a record of
		// max_record_bytes needs (the reader rejects a longer one before
		// it would grow further; the +1 only guards against reading into
		// no room at all, which would never end).
		grown := make([]byte, max(min(max(2*len(s.buf), 4096), s.limit), len(s.buf)+1))
		copy(grown, s.buf[:s.end])
		s.buf = grown
	}
	for {
		n, err := s.src.Read(s.buf[s.end:])
		s.end += n
		s.read += int64(n)
		switch {
		case err == io.EOF:
			s.eof = true
			return nil
		case err != nil:
			return fmt.Errorf("%s: %w", s.path, err)
		case n > 0:
			return nil
		}
	}
}

// skipBOM drops a UTF-8 byte-order mark at the start of the file.
func (s *scanner) skipBOM() error {
	for s.end-s.pos < 3 && !s.eof {
		if err := s.fill(); err != nil {
			return err
		}
	}
	if bytes.HasPrefix(s.buf[s.pos:s.end], []byte("\xEF\xBB\xBF")) {
		s.pos += 3
	}
	return nil
}

// skipLine consumes the rest of the current line however long it is,
// without buffering it.
func (s *scanner) skipLine() error {
	for {
		if i := bytes.IndexByte(s.buf[s.pos:s.end], '\n'); i >= 0 {
			s.pos += i + 1
			s.line++
			return nil
		}
		s.pos = s.end
		if s.eof {
			return nil
		}
		if err := s.fill(); err != nil {
			return err
		}
	}
}

// skipBlank consumes blank and comment lines at pos. It returns false at
// the end of the file.
func (s *scanner) skipBlank(comment byte) (bool, error) {
	for {
		if s.pos == s.end {
			if s.eof {
				return false, nil
			}
			if err := s.fill(); err != nil {
				return false, err
			}
			continue
		}
		switch c := s.buf[s.pos]; {
		case c == '\n':
			s.pos++
			s.line++
		case c == '\r':
			switch {
			case s.pos+1 < s.end && s.buf[s.pos+1] == '\n':
				s.pos += 2
				s.line++
			case s.pos+1 < s.end:
				return true, nil // a lone CR starts a field
			case s.eof:
				s.pos++
			default:
				if err := s.fill(); err != nil {
					return false, err
				}
			}
		case comment != 0 && c == comment:
			if err := s.skipLine(); err != nil {
				return false, err
			}
		default:
			return true, nil
		}
	}
}

// countBreaks returns the line breaks inside a parsed record's text; only
// quoted fields hold any.
func countBreaks(text []byte, res parsed) int {
	if res.firstBreak < 0 {
		return 0
	}
	return bytes.Count(text, []byte{'\n'})
}
