package eval

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"runner/stages/plan"
	"runner/stages/stagetest"
)

// fuzzSeeds are inputs every string fuzz test starts from: the dataset's
// shapes, white space of every kind, multi-byte and invalid text.
var fuzzSeeds = []string{
	"", " ", "Bobby JacksOn", "mR. DAVID pIERce Md", "kEVIn SiMmoNs Jr.", "MR. TYler TAYLOR Phd",
	"TAyLoR howeLl Dds", "MS. nAtalIE gAMble", "joHN smith iii", "mary-jane o'neil mcdonald",
	"and Sons, Smith and,", "Hernandez Rogers and Vang,", "Nelson Walker Myers, and", "and Howell Brooks, Rogers",
	"\t a\u00a0\u00a0b \n", "\u3000Zoë\u2003Ö\u0085", "ǆ ı İ ß ȿ K", "a\xffb\xe2\x80", "--", "- and -", "O’BRIEN",
}

// textRunner evaluates one compiled string function over one value at a
// time.
type textRunner struct{ p *Program }

func newTextRunner(t testing.TB, fn string, extra ...*plan.Expr) textRunner {
	t.Helper()
	p, err := Compile(callE(fn, append([]*plan.Expr{selfE(tStr)}, extra...)...))
	if err != nil {
		t.Fatal(err)
	}
	return textRunner{p: p}
}

func (r textRunner) run(t *testing.T, s string) string {
	t.Helper()
	mem := stagetest.Allocator(t)
	b := array.NewStringBuilder(mem)
	b.Append(s)
	in := b.NewArray()
	b.Release()
	defer in.Release()
	out, err := r.p.Eval(mem, Env{Rows: 1, Self: in})
	if err != nil {
		t.Fatalf("%s on %q: %v", r.p, s, err)
	}
	defer out.Release()
	if out.Len() != 1 || out.DataType().ID() != arrow.STRING || out.IsNull(0) {
		t.Fatalf("%s on %q: got %v", r.p, s, out)
	}
	return strings.Clone(out.(*array.String).Value(0))
}

// checkUTF8 fails when valid text came out invalid.
func checkUTF8(t *testing.T, what, in, out string) {
	t.Helper()
	if utf8.ValidString(in) && !utf8.ValidString(out) {
		t.Fatalf("%s(%q) = %q: invalid UTF-8 from valid", what, in, out)
	}
}

func FuzzPersonName(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pn := newTextRunner(t, "person_name")
		got := pn.run(t, s)
		checkUTF8(t, "person_name", s, got)
		if again := pn.run(t, got); again != got {
			t.Fatalf("person_name(%q) = %q, but person_name(%q) = %q", s, got, got, again)
		}
		if utf8.ValidString(s) && utf8.RuneCountInString(got) != utf8.RuneCountInString(s) {
			t.Fatalf("person_name(%q) = %q changed the number of characters", s, got)
		}
	})
}

func FuzzStripDangling(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, strip := range []textRunner{
			newTextRunner(t, "strip_dangling", listE(",", "and")),
			newTextRunner(t, "strip_dangling"),
			newTextRunner(t, "strip_dangling", listE("ß", "·", "--")),
		} {
			got := strip.run(t, s)
			checkUTF8(t, "strip_dangling", s, got)
			if !strings.Contains(s, got) {
				t.Fatalf("%s on %q = %q, which is not a part of the input", strip.p, s, got)
			}
			if again := strip.run(t, got); again != got {
				t.Fatalf("%s on %q = %q, and on that %q", strip.p, s, got, again)
			}
		}
	})
}

func FuzzCollapseSpaces(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		collapse, trim := newTextRunner(t, "collapse_spaces"), newTextRunner(t, "trim")
		got := collapse.run(t, s)
		checkUTF8(t, "collapse_spaces", s, got)
		if again := collapse.run(t, got); again != got {
			t.Fatalf("collapse_spaces(%q) = %q, and again %q", s, got, again)
		}
		if !utf8.ValidString(s) {
			return
		}
		if want := strings.Join(strings.Fields(s), " "); trim.run(t, got) != want {
			t.Fatalf("trim(collapse_spaces(%q)) = %q, want %q", s, trim.run(t, got), want)
		}
		if want := strings.TrimSpace(s); trim.run(t, s) != want {
			t.Fatalf("trim(%q) = %q, want %q", s, trim.run(t, s), want)
		}
		for _, r := range got {
			if unicode.IsSpace(r) && r != ' ' {
				t.Fatalf("collapse_spaces(%q) = %q keeps %U", s, got, r)
			}
		}
	})
}

func FuzzSubstr(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, int64(1), int64(3))
		f.Add(s, int64(-2), int64(-1))
	}
	f.Fuzz(func(t *testing.T, s string, start, length int64) {
		if length < -1 {
			length = -1
		}
		got := newTextRunner(t, "substr", intE(start), intE(length)).run(t, s)
		checkUTF8(t, "substr", s, got)
		if !strings.Contains(s, got) {
			t.Fatalf("substr(%q, %d, %d) = %q, which is not a part of the input", s, start, length, got)
		}
		if !utf8.ValidString(s) {
			return
		}
		// The same on a slice of characters.
		runes := []rune(s)
		n := int64(len(runes))
		from := start
		if from < 0 {
			from += n
		}
		want := ""
		if from >= 0 && from < n {
			to := n
			if length >= 0 && length < n-from {
				to = from + length
			}
			want = string(runes[from:to])
		}
		if got != want {
			t.Fatalf("substr(%q, %d, %d) = %q, want %q", s, start, length, got, want)
		}
	})
}

// FuzzCaseMapping compares lower, upper and title with package strings
// (which maps valid text character by character, as the kernels do).
func FuzzCaseMapping(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lower, upper, title := newTextRunner(t, "lower"), newTextRunner(t, "upper"), newTextRunner(t, "title")
		l, u, ti := lower.run(t, s), upper.run(t, s), title.run(t, s)
		for _, out := range []string{l, u, ti} {
			checkUTF8(t, "case mapping", s, out)
		}
		if title.run(t, ti) != ti {
			t.Fatalf("title(%q) = %q is not idempotent", s, ti)
		}
		if !utf8.ValidString(s) {
			return
		}
		if want := strings.ToLower(s); l != want {
			t.Fatalf("lower(%q) = %q, want %q", s, l, want)
		}
		if want := strings.ToUpper(s); u != want {
			t.Fatalf("upper(%q) = %q, want %q", s, u, want)
		}
	})
}
