package eval

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"

	"github.com/apache/arrow-go/v18/arrow"
)

// The string functions with constant parameters: strip_dangling, replace,
// regex_replace and substr.

func stripDanglingStep(c *call) (textStep, error) {
	set, err := newDanglingSet(c.consts[1].list)
	if err != nil {
		return textStep{}, err
	}
	return textStep{growth: sameLength, apply: set.appendStripped}, nil
}

func replaceStep(c *call) (textStep, error) {
	old, repl := []byte(c.consts[1].str), []byte(c.consts[2].str)
	if len(old) == 0 {
		return textStep{}, errors.New("the text to replace is empty")
	}
	return literalReplace(old, repl), nil
}

func literalReplace(old, repl []byte) textStep {
	return textStep{growth: replaceGrowth(old, repl), apply: func(dst, s []byte) []byte {
		return appendReplaced(dst, s, old, repl)
	}}
}

// replaceGrowth bounds the bytes replacing old by repl writes per input
// byte: every len(old) bytes may become len(repl).
func replaceGrowth(old, repl []byte) int {
	return max(1, (len(repl)+len(old)-1)/len(old))
}

func appendReplaced(dst, s, old, repl []byte) []byte {
	for {
		i := bytes.Index(s, old)
		if i < 0 {
			return append(dst, s...)
		}
		dst = append(dst, s[:i]...)
		dst = append(dst, repl...)
		s = s[i+len(old):]
	}
}

// regexReplaceFactory compiles the pattern once. A pattern that is plain
// text and a replacement without $ take replace's kernel.
func regexReplaceFactory(c *call) (kernel, error) {
	re, err := regexp.Compile(c.consts[1].str)
	if err != nil {
		return nil, fmt.Errorf("pattern %q: %w", c.consts[1].str, err)
	}
	repl := []byte(c.consts[2].str)
	if lit, complete := re.LiteralPrefix(); complete && lit != "" && !bytes.ContainsRune(repl, '$') {
		return textChainKernel([]textStep{literalReplace([]byte(lit), repl)}), nil
	}
	return func(ec *evalCtx, args []value) (arrow.Array, error) {
		in, err := stringArray(args[0])
		if err != nil {
			return nil, err
		}
		n := in.Len()
		v := viewStrings(args[0])
		w, buf := newStringWriter(ec.mem, n, int(v.offs[n]-v.offs[0]))
		for i := 0; i < n; i++ {
			if v.valid(i) {
				s := v.at(i)
				// Match costs no allocation; only rows that match pay for
				// ReplaceAll's.
				if re.Match(s) {
					s = re.ReplaceAll(s, repl)
				}
				if buf, err = w.room(buf, len(s)); err != nil {
					w.release()
					return nil, err
				}
				buf = append(buf, s...)
			}
			w.offs[i+1] = int32(len(buf))
		}
		return w.finish(buf, sameValidity(ec.mem, in, n))
	}, nil
}

func substrStep(c *call) (textStep, error) {
	start, length := c.consts[1].i, c.consts[2].i
	if length < -1 {
		return textStep{}, fmt.Errorf("length %d: want -1 (the rest) or a count of characters", length)
	}
	return textStep{growth: sameLength, apply: func(dst, s []byte) []byte {
		return appendSubstr(dst, s, start, length)
	}}, nil
}

// appendSubstr appends length characters of s from character start (0 is
// the first; a negative start counts from the end, -1 being the last). A
// length of -1 takes the rest; a start out of range gives "".
func appendSubstr(dst, s []byte, start, length int64) []byte {
	var from int
	if start >= 0 {
		if start > int64(len(s)) {
			return dst
		}
		if from = runePrefixLen(s, int(start)); from < 0 {
			return dst
		}
	} else {
		if -start > int64(len(s)) {
			return dst
		}
		k := runeSuffixLen(s, int(-start))
		if k < 0 {
			return dst
		}
		from = len(s) - k
	}
	rest := s[from:]
	if length < 0 || length > int64(len(rest)) {
		return append(dst, rest...)
	}
	if n := runePrefixLen(rest, int(length)); n >= 0 {
		rest = rest[:n]
	}
	return append(dst, rest...)
}
