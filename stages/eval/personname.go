package eval

import (
	"slices"
	"unicode"
	"unicode/utf8"
)

// appendPersonName appends s written as a person's name: every word (words
// are separated by white space and hyphens, which are kept as they are) in
// title case, with these exceptions.
//
//   - Degrees and generational suffixes after the first word take their
//     usual form: MD, DDS, PhD, DVM, RN, Jr, Sr, II, III, IV, keeping any
//     trailing "." or ",". As the first word they are read as a name ("Md").
//   - Mc followed by two letters capitalises the next letter: McDonald.
//   - O followed by an apostrophe (' or ’) capitalises the next letter:
//     O'Neil.
//   - A letter after a "." inside a word is capitalised, so initials keep
//     their form: J.R.R., Ph.D.
//
// Honorifics (Mr, Mrs, Ms, Miss, Dr, Prof) need no rule of their own: title
// case already writes them that way, with their "." if written.
//
// Every rule decides on a word as it is written out (its letters after
// case mapping, its punctuation, its place), so the function is
// idempotent: applied to its own output it changes nothing.
func appendPersonName(dst, s []byte) []byte {
	dst = slices.Grow(dst, len(s))
	word := -1 // where the current word starts in dst; -1 between words
	first := true
	upperNext := true // the next letter is capitalised
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			cls := asciiClass[c]
			switch {
			case cls&(clsSpace|clsHyphen) != 0:
				if word >= 0 {
					if !first {
						fixSuffix(dst[word:])
					}
					word, first = -1, false
				}
				upperNext = true
			case word < 0:
				word = len(dst)
				fallthrough
			default:
				switch {
				case cls&clsLetter != 0:
					if upperNext {
						c = upperTable[c]
					} else {
						c = lowerTable[c]
					}
					// Mc, then two letters: McDonald.
					upperNext = c == 'c' && len(dst)-word == 1 && dst[word] == 'M' && twoLetters(s[i+1:])
				case cls&clsDigit != 0:
					upperNext = false
				case c == '.':
					upperNext = true
				case c == '\'':
					upperNext = upperNext || isO(dst[word:])
				}
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if (r != utf8.RuneError || size > 1) && unicode.IsSpace(r) {
			if word >= 0 {
				if !first {
					fixSuffix(dst[word:])
				}
				word, first = -1, false
			}
			upperNext = true
			dst = append(dst, s[i:i+size]...)
			i += size
			continue
		}
		if word < 0 {
			word = len(dst)
		}
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, c)
		case unicode.IsLetter(r):
			if upperNext {
				r = unicode.ToTitle(r)
			} else {
				r = unicode.ToLower(r)
			}
			upperNext = false
			dst = utf8.AppendRune(dst, r)
		default:
			switch {
			case r == '’':
				upperNext = upperNext || isO(dst[word:])
			case unicode.IsDigit(r):
				upperNext = false
			}
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	if word >= 0 && !first {
		fixSuffix(dst[word:])
	}
	return dst
}

// isO reports whether a word written so far is the O of O'Neil.
func isO(word []byte) bool { return len(word) == 1 && word[0] == 'O' }

// twoLetters reports whether s starts with two letters.
func twoLetters(s []byte) bool {
	for k := 0; k < 2; k++ {
		if len(s) == 0 {
			return false
		}
		r, size := rune(s[0]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(s)
		}
		if !unicode.IsLetter(r) {
			return false
		}
		s = s[size:]
	}
	return true
}

// fixSuffix rewrites, in place, a written word that is a degree or a
// generational suffix (ignoring a trailing "." or ",") into its usual form,
// which always has the same length.
func fixSuffix(word []byte) {
	body := word
	for len(body) > 0 && (body[len(body)-1] == '.' || body[len(body)-1] == ',') {
		body = body[:len(body)-1]
	}
	if len(body) < 2 || len(body) > 3 {
		return
	}
	var key [3]byte
	for i, c := range body {
		if c >= utf8.RuneSelf {
			return
		}
		key[i] = toLowerASCII(c)
	}
	if form := suffixForm(key[:len(body)]); form != "" {
		copy(body, form)
	}
}

// suffixForm is the usual form of a degree or generational suffix given in
// lower case, or "".
func suffixForm(key []byte) string {
	switch string(key) {
	case "md":
		return "MD"
	case "dds":
		return "DDS"
	case "phd":
		return "PhD"
	case "dvm":
		return "DVM"
	case "rn":
		return "RN"
	case "jr":
		return "Jr"
	case "sr":
		return "Sr"
	case "ii":
		return "II"
	case "iii":
		return "III"
	case "iv":
		return "IV"
	}
	return ""
}
