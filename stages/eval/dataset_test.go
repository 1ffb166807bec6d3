package eval

import (
	"encoding/csv"
	"os"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"runner/stages/plan"
	"runner/stages/stagetest"
)

// readDataset returns the named columns of the real dataset, by header.
func readDataset(t testing.TB, names ...string) map[string][]string {
	t.Helper()
	f, err := os.Open(stagetest.RealDataset(t))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("reading the dataset: %v", err)
	}
	out := map[string][]string{}
	for _, name := range names {
		k := -1
		for i, h := range records[0] {
			if h == name {
				k = i
			}
		}
		if k < 0 {
			t.Fatalf("the dataset has no column %q", name)
		}
		for _, r := range records[1:] {
			out[name] = append(out[name], r[k])
		}
	}
	return out
}

func stringsArray(mem memory.Allocator, values []string) arrow.Array {
	b := array.NewStringBuilder(mem)
	defer b.Release()
	b.AppendValues(values, nil)
	return b.NewArray()
}

// evalStrings evaluates e with self bound to values and returns the strings.
func evalStrings(t testing.TB, e *plan.Expr, values []string) []string {
	t.Helper()
	mem := stagetest.Allocator(t)
	p, err := Compile(e)
	if err != nil {
		t.Fatal(err)
	}
	in := stringsArray(mem, values)
	defer in.Release()
	out, err := p.Eval(mem, Env{Rows: len(values), Self: in})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	s := out.(*array.String)
	if err := s.ValidateFull(); err != nil {
		t.Fatalf("%s: %v", e, err)
	}
	got := make([]string, s.Len())
	for i := range got {
		got[i] = strings.Clone(s.Value(i))
	}
	return got
}

// cleanName is the healthcare pipeline's clean list for names.
func cleanName() *plan.Expr {
	return callE("person_name", callE("collapse_spaces", callE("trim", selfE(tStr))))
}

// cleanHospital is the healthcare pipeline's hospital column.
func cleanHospital() *plan.Expr {
	return callE("strip_dangling", callE("collapse_spaces", callE("trim", selfE(tStr))), listE(",", "and"))
}

var suffixForms = map[string]string{"md": "MD", "dds": "DDS", "phd": "PhD", "dvm": "DVM", "rn": "RN",
	"jr": "Jr", "sr": "Sr", "ii": "II", "iii": "III", "iv": "IV"}

func TestDatasetNames(t *testing.T) {
	data := readDataset(t, "Name", "Doctor")
	known := map[string]string{
		"Bobby JacksOn":        "Bobby Jackson",
		"mR. DAVID pIERce Md":  "Mr. David Pierce MD",
		"kEVIn SiMmoNs Jr.":    "Kevin Simmons Jr.",
		"MR. TYler TAYLOR Phd": "Mr. Tyler Taylor PhD",
		"TAyLoR howeLl Dds":    "Taylor Howell DDS",
		"MS. nAtalIE gAMble":   "Ms. Natalie Gamble",
		"dR. EilEEn thomPsoN":  "Dr. Eileen Thompson",
	}
	for _, column := range []string{"Name", "Doctor"} {
		in := data[column]
		got := evalStrings(t, cleanName(), in)
		again := evalStrings(t, cleanName(), got)
		for i, name := range got {
			if want, ok := known[in[i]]; ok {
				if name != want {
					t.Errorf("%s %q became %q, want %q", column, in[i], name, want)
				}
				delete(known, in[i])
			}
			if again[i] != name {
				t.Errorf("%s %q: person_name is not idempotent: %q then %q", column, in[i], name, again[i])
			}
			for k, word := range strings.FieldsFunc(name, func(r rune) bool { return r == ' ' || r == '-' }) {
				first, _ := utf8.DecodeRuneInString(word)
				if unicode.IsLower(first) {
					t.Errorf("%s %q became %q: word %q starts in lower case", column, in[i], name, word)
				}
				if form, ok := suffixForms[strings.ToLower(strings.TrimRight(word, ".,"))]; ok && k > 0 && !strings.HasPrefix(word, form) {
					t.Errorf("%s %q became %q: suffix %q is not written %s", column, in[i], name, word, form)
				}
				if lower := strings.ToLower(word); strings.HasPrefix(lower, "mc") && utf8.RuneCountInString(word) > 3 && !unicode.IsUpper([]rune(word)[2]) {
					t.Errorf("%s %q became %q: %q has no capital after Mc", column, in[i], name, word)
				}
			}
		}
	}
	for in := range known {
		t.Errorf("name %q is not in the dataset", in)
	}
}

var danglingEnd = regexp.MustCompile(`(?i)(^(and\b|,))|((\band|,)$)`)

func TestDatasetHospitals(t *testing.T) {
	in := readDataset(t, "Hospital")["Hospital"]
	known := map[string]string{
		"Sons and Miller":            "Sons and Miller",
		"Hernandez Rogers and Vang,": "Hernandez Rogers and Vang",
		"and Sons Smith":             "Sons Smith",
		"Nelson Walker Myers, and":   "Nelson Walker Myers",
		"and Howell Brooks, Rogers":  "Howell Brooks, Rogers",
		"Kim Inc":                    "Kim Inc",
	}
	got := evalStrings(t, cleanHospital(), in)
	again := evalStrings(t, cleanHospital(), got)
	changed := 0
	for i, h := range got {
		if want, ok := known[in[i]]; ok {
			if h != want {
				t.Errorf("hospital %q became %q, want %q", in[i], h, want)
			}
			delete(known, in[i])
		}
		if h != in[i] {
			changed++
		}
		if h == "" || danglingEnd.MatchString(h) || strings.TrimSpace(h) != h {
			t.Errorf("hospital %q became %q, which still dangles", in[i], h)
		}
		if again[i] != h {
			t.Errorf("hospital %q: strip_dangling is not idempotent: %q then %q", in[i], h, again[i])
		}
	}
	for in := range known {
		t.Errorf("hospital %q is not in the dataset", in)
	}
	if changed == 0 {
		t.Errorf("no hospital changed; the dataset has dangling words")
	}
}
