package eval

import (
	"bytes"
	"errors"
	"slices"
	"unicode"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Character classes and case tables of ASCII bytes, for the fast paths of
// the string kernels. Every other byte starts or continues a multi-byte
// character and takes the Unicode path.
const (
	clsSpace  = 1 << iota // what unicode.IsSpace accepts below 0x80
	clsLetter             // a-z, A-Z
	clsDigit              // 0-9
	clsHyphen             // -, which separates words in names and titles
)

var (
	asciiClass = func() (t [utf8.RuneSelf]uint8) {
		for _, c := range "\t\n\v\f\r " {
			t[c] = clsSpace
		}
		for c := 'a'; c <= 'z'; c++ {
			t[c], t[c-'a'+'A'] = clsLetter, clsLetter
		}
		for c := '0'; c <= '9'; c++ {
			t[c] = clsDigit
		}
		t['-'] = clsHyphen
		return t
	}()
	// spaceOrWide marks ASCII white space and the bytes of characters that
	// are not ASCII (which may be white space).
	spaceOrWide = func() (t [256]bool) {
		for c := range t {
			t[c] = c >= utf8.RuneSelf || asciiClass[c]&clsSpace != 0
		}
		return t
	}()
	lowerTable = caseTable('A', 'a')
	upperTable = caseTable('a', 'A')
)

// caseTable maps the 26 letters from 'from' on to those from 'to' on and
// every other ASCII byte to itself.
func caseTable(from, to byte) (t [utf8.RuneSelf]byte) {
	for c := range t {
		t[c] = byte(c)
	}
	for k := byte(0); k < 26; k++ {
		t[from+k] = to + k
	}
	return t
}

// toLowerASCII lower-cases an ASCII letter, leaving other bytes.
func toLowerASCII(c byte) byte {
	if c < utf8.RuneSelf {
		return lowerTable[c]
	}
	return c
}

// spaceAt reports whether s[i:] starts with white space, and how many bytes
// that character (or invalid byte) takes.
func spaceAt(s []byte, i int) (bool, int) {
	if c := s[i]; c < utf8.RuneSelf {
		return asciiClass[c]&clsSpace != 0, 1
	}
	r, size := utf8.DecodeRune(s[i:])
	return unicode.IsSpace(r), size
}

// Growth factors of string kernels (see mapStrings).
const (
	// sameLength: the output is never longer than the input.
	sameLength = 1
	// caseLength: under Go's simple case mapping an ASCII character stays
	// one byte and no other character grows by more than half (two bytes to
	// three at most); invalid bytes are copied.
	caseLength = 2
)

// textStep is a function that maps each string to another: apply appends
// the result for s to dst, writing at most growth bytes per byte of s.
type textStep struct {
	growth int
	apply  func(dst, s []byte) []byte
}

// stepFactory prepares a text step for one call.
type stepFactory func(c *call) (textStep, error)

// fixedStep is the factory of a step without parameters.
func fixedStep(growth int, apply func(dst, s []byte) []byte) stepFactory {
	return func(*call) (textStep, error) { return textStep{growth: growth, apply: apply}, nil }
}

// maxChainGrowth bounds the growth of a fused chain of steps: the room
// reserved per row is the product of the steps' growths.
const maxChainGrowth = 16

// textChainKernel applies steps, in order, to every string of its argument
// in one pass: a chain such as a column's clean list (trim,
// collapse_spaces, person_name) builds one array, not one per step. The
// intermediate results of a row go to two scratch buffers reused from row
// to row.
func textChainKernel(steps []textStep) kernel {
	growth := chainGrowth(steps)
	last := steps[len(steps)-1].apply
	if len(steps) == 1 {
		return func(ec *evalCtx, args []value) (arrow.Array, error) {
			in, err := stringArray(args[0])
			if err != nil {
				return nil, err
			}
			return mapStrings(ec.mem, in, growth, last)
		}
	}
	inner := steps[:len(steps)-1]
	return func(ec *evalCtx, args []value) (arrow.Array, error) {
		in, err := stringArray(args[0])
		if err != nil {
			return nil, err
		}
		var scratch [2][]byte
		return mapStrings(ec.mem, in, growth, func(dst, s []byte) []byte {
			for k, st := range inner {
				scratch[k%2] = st.apply(scratch[k%2][:0], s)
				s = scratch[k%2]
			}
			return last(dst, s)
		})
	}
}

func chainGrowth(steps []textStep) int {
	g := 1
	for _, st := range steps {
		g *= st.growth
	}
	return g
}

// stringArray is the utf8 array of an evaluated text argument. Compile
// folds calls whose text is a literal, so the argument is always an array.
func stringArray(v value) (*array.String, error) {
	a, ok := v.arr.(*array.String)
	if !ok {
		return nil, errors.New("the text argument is not a utf8 array")
	}
	return a, nil
}

// appendTrim appends s without the white space at either end.
func appendTrim(dst, s []byte) []byte { return append(dst, bytes.TrimSpace(s)...) }

// appendCollapse appends s with every run of white space (tabs, line
// breaks, no-break spaces and the other Unicode spaces) replaced by one
// ASCII space. The ends are not trimmed: that is trim's job.
func appendCollapse(dst, s []byte) []byte {
	// Most values need no change: find the longest prefix that needs none
	// (no byte but single plain spaces that might be white space) and copy
	// it in one go. The prefix never ends in a space the rest continues.
	i := 0
	for ; i < len(s); i++ {
		if c := s[i]; spaceOrWide[c] && (c != ' ' || (i+1 < len(s) && spaceOrWide[s[i+1]])) {
			break
		}
	}
	dst = append(dst, s[:i]...)
	if i == len(s) {
		return dst
	}
	// The rest is never longer than it is: write it by index.
	s = s[i:]
	dst = slices.Grow(dst, len(s))
	n := len(dst)
	out := dst[n : n+len(s)]
	j := 0
	inSpace := false
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			space := asciiClass[c]&clsSpace != 0
			if !space || !inSpace {
				out[j] = c
				if space {
					out[j] = ' '
				}
				j++
			}
			inSpace = space
			i++
			continue
		}
		space, size := spaceAt(s, i)
		switch {
		case !space:
			j += copy(out[j:], s[i:i+size])
		case !inSpace:
			out[j] = ' '
			j++
		}
		inSpace = space
		i += size
	}
	return dst[:n+j]
}

// appendCased appends s mapped through table (ASCII) and uni (the other
// characters); invalid bytes are copied as they are.
func appendCased(dst, s []byte, table *[utf8.RuneSelf]byte, uni func(rune) rune) []byte {
	dst = slices.Grow(dst, len(s))
	n := len(dst)
	out := dst[n : n+len(s)]
	for i, c := range s {
		if c >= utf8.RuneSelf {
			return appendCasedRunes(dst[:n+i], s[i:], table, uni)
		}
		out[i] = table[c]
	}
	return dst[:n+len(s)]
}

func appendCasedRunes(dst, s []byte, table *[utf8.RuneSelf]byte, uni func(rune) rune) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			dst = append(dst, table[c])
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, c)
		} else {
			dst = utf8.AppendRune(dst, uni(r))
		}
		i += size
	}
	return dst
}

func appendLower(dst, s []byte) []byte { return appendCased(dst, s, &lowerTable, unicode.ToLower) }

func appendUpper(dst, s []byte) []byte { return appendCased(dst, s, &upperTable, unicode.ToUpper) }

// appendTitle appends s with the first letter or digit of every word in
// title case and every later letter in lower case. Words are separated by
// white space and hyphens; a word's leading punctuation is kept, so
// "(ann)" becomes "(Ann)" and "1st" stays "1st".
func appendTitle(dst, s []byte) []byte {
	// ASCII maps byte to byte: write it by index until a character that is
	// not ASCII.
	dst = slices.Grow(dst, len(s))
	n := len(dst)
	out := dst[n : n+len(s)]
	start := true // the next letter or digit begins a word
	for i, c := range s {
		if c >= utf8.RuneSelf {
			return appendTitleRunes(dst[:n+i], s[i:], start)
		}
		cls := asciiClass[c]
		if cls&clsLetter != 0 {
			if start {
				c = upperTable[c]
			} else {
				c = lowerTable[c]
			}
		}
		start = cls&(clsSpace|clsHyphen) != 0 || (start && cls&(clsLetter|clsDigit) == 0)
		out[i] = c
	}
	return dst[:n+len(s)]
}

// appendTitleRunes is appendTitle from a character that is not ASCII on;
// start carries its state.
func appendTitleRunes(dst, s []byte, start bool) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			cls := asciiClass[c]
			if cls&clsLetter != 0 {
				if start {
					c = upperTable[c]
				} else {
					c = lowerTable[c]
				}
			}
			start = cls&(clsSpace|clsHyphen) != 0 || (start && cls&(clsLetter|clsDigit) == 0)
			dst = append(dst, c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, c)
		case unicode.IsLetter(r):
			if start {
				r = unicode.ToTitle(r)
			} else {
				r = unicode.ToLower(r)
			}
			start = false
			dst = utf8.AppendRune(dst, r)
		default:
			if unicode.IsSpace(r) {
				start = true
			} else if unicode.IsDigit(r) {
				start = false
			}
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return dst
}

// lengthKernel counts the characters of each string (an invalid byte counts
// as one).
func lengthKernel(*call) (kernel, error) {
	return func(ec *evalCtx, args []value) (arrow.Array, error) {
		in, err := stringArray(args[0])
		if err != nil {
			return nil, err
		}
		n := in.Len()
		offs, data := in.ValueOffsets(), stringData(in)
		buf, out := newValues[int32](ec.mem, n)
		for i := range out {
			out[i] = int32(utf8.RuneCount(data[offs[i]:offs[i+1]]))
		}
		return makeArray(arrow.PrimitiveTypes.Int32, n, sameValidity(ec.mem, in, n), buf), nil
	}, nil
}
