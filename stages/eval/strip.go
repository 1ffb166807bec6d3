package eval

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// danglingSet is strip_dangling's word list, prepared once.
type danglingSet struct {
	// words are tried longest first, so that "--" wins over "-".
	words []danglingWord
}

type danglingWord struct {
	text  []byte
	runes int
	// first and last are the word's first and last bytes in lower case when
	// they are ASCII (0 otherwise): a cheap first test before comparing.
	first, last byte
	// glued words hold no letter or digit (",", "&"): they match even when
	// stuck to the neighbouring word ("Vang,"). Other words must stand
	// alone ("and" never matches the start of "Anderson").
	glued bool
}

func newDanglingSet(list []string) (*danglingSet, error) {
	if len(list) == 0 {
		return nil, errors.New("the word list is empty")
	}
	d := &danglingSet{}
	for _, w := range list {
		if w == "" || strings.TrimSpace(w) != w {
			return nil, fmt.Errorf("word %q: words must be non-empty and must not start or end with white space", w)
		}
		dw := danglingWord{text: []byte(w), runes: utf8.RuneCountInString(w), glued: true}
		for _, r := range w {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				dw.glued = false
			}
		}
		if w[0] < utf8.RuneSelf {
			dw.first = toLowerASCII(w[0])
		}
		if w[len(w)-1] < utf8.RuneSelf {
			dw.last = toLowerASCII(w[len(w)-1])
		}
		d.words = append(d.words, dw)
	}
	slices.SortStableFunc(d.words, func(a, b danglingWord) int { return cmp.Compare(b.runes, a.runes) })
	return d, nil
}

// appendStripped appends s without its dangling words: repeatedly, a word
// of the set at either end is removed with the white space around it, until
// neither end changes. White space at an end where nothing was removed is
// kept.
func (d *danglingSet) appendStripped(dst, s []byte) []byte {
	for {
		changed := false
		if t := trimLeftSpace(s); len(t) > 0 {
			if n := d.matchStart(t); n > 0 {
				s, changed = trimLeftSpace(t[n:]), true
			}
		}
		if t := trimRightSpace(s); len(t) > 0 {
			if n := d.matchEnd(t); n > 0 {
				s, changed = trimRightSpace(t[:len(t)-n]), true
			}
		}
		if !changed {
			return append(dst, s...)
		}
	}
}

// matchStart returns the length of the dangling word t starts with, or 0.
func (d *danglingSet) matchStart(t []byte) int {
	for i := range d.words {
		w := &d.words[i]
		if w.first != 0 && t[0] < utf8.RuneSelf && toLowerASCII(t[0]) != w.first {
			continue
		}
		n := runePrefixLen(t, w.runes)
		if n < 0 || !bytes.EqualFold(t[:n], w.text) {
			continue
		}
		if w.glued || n == len(t) || !wordRuneAt(t[n:]) {
			return n
		}
	}
	return 0
}

// matchEnd returns the length of the dangling word t ends with, or 0.
func (d *danglingSet) matchEnd(t []byte) int {
	for i := range d.words {
		w := &d.words[i]
		if c := t[len(t)-1]; w.last != 0 && c < utf8.RuneSelf && toLowerASCII(c) != w.last {
			continue
		}
		n := runeSuffixLen(t, w.runes)
		if n < 0 || !bytes.EqualFold(t[len(t)-n:], w.text) {
			continue
		}
		if w.glued || n == len(t) || !wordRuneBefore(t[:len(t)-n]) {
			return n
		}
	}
	return 0
}

// wordRuneAt reports whether s starts with a letter or digit.
func wordRuneAt(s []byte) bool {
	r, _ := utf8.DecodeRune(s)
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// wordRuneBefore reports whether s ends with a letter or digit.
func wordRuneBefore(s []byte) bool {
	r, _ := utf8.DecodeLastRune(s)
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func trimLeftSpace(s []byte) []byte {
	i := 0
	for i < len(s) {
		space, size := spaceAt(s, i)
		if !space {
			break
		}
		i += size
	}
	return s[i:]
}

func trimRightSpace(s []byte) []byte {
	for len(s) > 0 {
		c := s[len(s)-1]
		if c < utf8.RuneSelf {
			if asciiClass[c]&clsSpace == 0 {
				break
			}
			s = s[:len(s)-1]
			continue
		}
		r, size := utf8.DecodeLastRune(s)
		if !unicode.IsSpace(r) {
			break
		}
		s = s[:len(s)-size]
	}
	return s
}

// runePrefixLen returns the byte length of the first k characters of s, or
// -1 when s has fewer. An invalid byte counts as one character, as
// utf8.DecodeRune reads it.
func runePrefixLen(s []byte, k int) int {
	i := 0
	for ; k > 0; k-- {
		if i >= len(s) {
			return -1
		}
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		_, size := utf8.DecodeRune(s[i:])
		i += size
	}
	return i
}

// runeSuffixLen returns the byte length of the last k characters of s, or
// -1 when s has fewer.
func runeSuffixLen(s []byte, k int) int {
	end := len(s)
	for ; k > 0; k-- {
		if end == 0 {
			return -1
		}
		if s[end-1] < utf8.RuneSelf {
			end--
			continue
		}
		_, size := utf8.DecodeLastRune(s[:end])
		end -= size
	}
	return len(s) - end
}
