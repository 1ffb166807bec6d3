package csvsource

import (
	"fmt"
	"strconv"
)

// The reasons a record is rejected say what is wrong and how to fix it;
// they are written to rejects.csv for the person who fixes the file.

// faultReason explains a malformed record; pos is the record's start and
// label names a field by its index.
func faultReason(res parsed, pos int, quote byte, label func(int) string) string {
	switch res.fault {
	case faultBareQuote:
		return fmt.Sprintf("field %s has a %c inside its unquoted text (byte %d): quote the field and double the quote inside it",
			label(res.faultField), quote, res.faultAt-pos+1)
	case faultAfterQuote:
		return fmt.Sprintf("field %s has text after its closing %c (byte %d): quote the field and double the quote inside it",
			label(res.faultField), quote, res.faultAt-pos+1)
	}
	return unterminatedReason(label(res.faultField), res.faultAt-pos+1)
}

// unterminatedReason explains a quote that is never closed, opening the
// field labelled field at 1-based byte at.
func unterminatedReason(field string, at int) string {
	return fmt.Sprintf("unterminated quote: the quote opening field %s (byte %d) is never closed; close it, or quote the field and double the quote inside it", field, at)
}

func fieldCountReason(got, want int, header bool) string {
	noun := "fields"
	if got == 1 {
		noun = "field"
	}
	if header {
		return fmt.Sprintf("%d %s, the header has %d", got, noun, want)
	}
	return fmt.Sprintf("%d %s, field_names has %d", got, noun, want)
}

func longReason(limit int) string {
	return fmt.Sprintf("the record is longer than %d bytes (max_record_bytes), so only its first line is kept, cut at that length; raise max_record_bytes if such records are genuine", limit)
}

func utf8Reason(field string, at int) string {
	return fmt.Sprintf("field %s is not valid UTF-8 at byte %d of the field; save the file as UTF-8", strconv.Quote(field), at)
}

// unclosedWithinReason explains a record that ran past max_record_bytes
// inside a quoted field that crossed a line break: a quote that is never
// closed, or a genuinely huge record.
func unclosedWithinReason(field string, at, limit int) string {
	return fmt.Sprintf("the quote opening field %s (byte %d) is not closed within %d bytes (max_record_bytes); close it, or raise max_record_bytes if such records are genuine", field, at, limit)
}
