package eval

import (
	"testing"

	"runner/stages/plan"
)

// textCase is one input and expected output of a string function.
type textCase struct {
	in   any // string or nil
	want any
}

// checkText evaluates fn(self, extra...) over the inputs of cases, as one
// batch, and each case in a batch of its own.
func checkText(t *testing.T, fn string, cases []textCase, extra ...*plan.Expr) {
	t.Helper()
	e := callE(fn, append([]*plan.Expr{colE("s", tStr)}, extra...)...)
	in, want := make([]any, len(cases)), make([]any, len(cases))
	for i, c := range cases {
		in[i], want[i] = c.in, c.want
	}
	checkEval(t, e, want, strCol("s", in...))
}

func TestTrim(t *testing.T) {
	checkText(t, "trim", []textCase{
		{in: "  Ann  ", want: "Ann"},
		{in: "\t\nAnn Lee\r\n", want: "Ann Lee"},
		{in: "\u00a0Zoë\u3000", want: "Zoë"},
		{in: "   ", want: ""},
		{in: "", want: ""},
		{in: "a  b", want: "a  b"},
		{in: "\u200bx", want: "\u200bx"}, // a zero-width space is not white space
		{in: nil, want: nil},
		{in: "\xff x \xfe", want: "\xff x \xfe"},
	})
}

func TestCollapseSpaces(t *testing.T) {
	checkText(t, "collapse_spaces", []textCase{
		{in: "Ann   Lee", want: "Ann Lee"},
		{in: "Ann\t \tLee", want: "Ann Lee"},
		{in: "Ann\u00a0\u00a0Lee", want: "Ann Lee"},
		{in: "  Ann  ", want: " Ann "},
		{in: "a\u2003b\nc", want: "a b c"},
		{in: "Zoë  Ö", want: "Zoë Ö"},
		{in: "", want: ""},
		{in: nil, want: nil},
	})
}

func TestLowerUpper(t *testing.T) {
	checkText(t, "lower", []textCase{
		{in: "Ann@X.org", want: "ann@x.org"},
		{in: "ÀÉÎ ÕÜ", want: "àéî õü"},
		{in: "ΣΑΣ", want: "σασ"},
		{in: "İ", want: "i"}, // Go's simple mapping lowers U+0130 to a plain i
		{in: "123-x", want: "123-x"},
		{in: nil, want: nil},
	})
	checkText(t, "upper", []textCase{
		{in: "ab-1", want: "AB-1"},
		{in: "straße", want: "STRAßE"}, // simple mapping keeps ß
		{in: "ȿ", want: "Ȿ"},           // two bytes become three
		{in: "ǆ", want: "Ǆ"},
		{in: "a\xffb", want: "A\xffB"},
		{in: nil, want: nil},
	})
}

func TestTitle(t *testing.T) {
	checkText(t, "title", []textCase{
		{in: "new YORK", want: "New York"},
		{in: "saint-ÉTIENNE", want: "Saint-Étienne"},
		{in: "o'neil", want: "O'neil"},
		{in: "(ann) 1st", want: "(Ann) 1st"},
		{in: "ǆungla", want: "ǅungla"},
		{in: "  two  spaces ", want: "  Two  Spaces "},
		{in: "", want: ""},
		{in: nil, want: nil},
	})
}

func TestPersonName(t *testing.T) {
	checkText(t, "person_name", []textCase{
		// The dataset's names.
		{in: "Bobby JacksOn", want: "Bobby Jackson"},
		{in: "mR. DAVID pIERce Md", want: "Mr. David Pierce MD"},
		{in: "kEVIn SiMmoNs Jr.", want: "Kevin Simmons Jr."},
		{in: "MR. TYler TAYLOR Phd", want: "Mr. Tyler Taylor PhD"},
		{in: "TAyLoR howeLl Dds", want: "Taylor Howell DDS"},
		{in: "MS. nAtalIE gAMble", want: "Ms. Natalie Gamble"},
		{in: "joHN smith iii", want: "John Smith III"},
		// Honorifics.
		{in: "mrs ann lee", want: "Mrs Ann Lee"},
		{in: "MISS ann lee", want: "Miss Ann Lee"},
		{in: "dr. ann lee", want: "Dr. Ann Lee"},
		{in: "PROF ann lee", want: "Prof Ann Lee"},
		// Degrees and suffixes, only after the first word.
		{in: "ann lee dvm", want: "Ann Lee DVM"},
		{in: "ann lee rn", want: "Ann Lee RN"},
		{in: "ann lee, sr.", want: "Ann Lee, Sr."},
		{in: "john smith ii", want: "John Smith II"},
		{in: "john smith IV", want: "John Smith IV"},
		{in: "md ali", want: "Md Ali"},
		{in: "iv", want: "Iv"},
		// Prefixes.
		{in: "mary-jane mcdonald", want: "Mary-Jane McDonald"},
		{in: "MCCOY", want: "McCoy"},
		{in: "mca", want: "Mca"},
		{in: "mcx.", want: "Mcx."},
		{in: "shaquille o'neal", want: "Shaquille O'Neal"},
		{in: "O’BRIEN", want: "O’Brien"},
		{in: "d'angelo", want: "D'angelo"},
		// Initials and degrees written with dots.
		{in: "j.r.r. tolkien", want: "J.R.R. Tolkien"},
		{in: "ann lee ph.d.", want: "Ann Lee Ph.D."},
		// Unicode.
		{in: "ÉMILE zola", want: "Émile Zola"},
		{in: "zoë  Ö'brien", want: "Zoë  Ö'brien"},
		{in: "ǆore ǆ", want: "ǅore ǅ"},
		{in: "ıii ali", want: "Iii Ali"},
		{in: "ali ıii", want: "Ali III"},
		{in: "\u00a0ann\tlee ", want: "\u00a0Ann\tLee "},
		// Odd input.
		{in: "", want: ""},
		{in: "-", want: "-"},
		{in: "3rd street", want: "3rd Street"},
		{in: "ann \xff lee", want: "Ann \xff Lee"},
		{in: nil, want: nil},
	})
}

func TestStripDangling(t *testing.T) {
	words := listE(",", "and")
	checkText(t, "strip_dangling", []textCase{
		{in: "and Sons, Smith and,", want: "Sons, Smith"},
		{in: "Hernandez Rogers and Vang,", want: "Hernandez Rogers and Vang"},
		{in: "Nelson Walker Myers, and", want: "Nelson Walker Myers"},
		{in: "and Howell Brooks, Rogers", want: "Howell Brooks, Rogers"},
		{in: "Sons and Miller", want: "Sons and Miller"},
		{in: "Anderson Inc", want: "Anderson Inc"},
		{in: "Smith Sand", want: "Smith Sand"},
		{in: "AND Sons", want: "Sons"},
		{in: ",Smith", want: "Smith"},
		{in: "Rogers,and", want: "Rogers"},
		{in: "and, Smith", want: "Smith"},
		{in: "and , and", want: ""},
		{in: "and", want: ""},
		{in: "  Smith  ", want: "  Smith  "},
		{in: "  and Smith ", want: "Smith "},
		{in: "Smith\u00a0and", want: "Smith"},
		{in: "", want: ""},
		{in: nil, want: nil},
	}, words)
	// The default list: , ; & - and.
	checkText(t, "strip_dangling", []textCase{
		{in: "& Sons -", want: "Sons"},
		{in: "; Smith and Co;", want: "Smith and Co"},
	})
	// Non-ASCII words, matched case-insensitively.
	checkText(t, "strip_dangling", []textCase{
		{in: "UND Söhne", want: "Söhne"},
		{in: "Müller · und", want: "Müller"},
		{in: "Sœur ÉT", want: "Sœur"},
	}, listE("und", "·", "ét"))
	// The longest word wins.
	checkText(t, "strip_dangling", []textCase{
		{in: "-- Smith --", want: "Smith"},
	}, listE("-", "--"))
}

func TestReplace(t *testing.T) {
	checkText(t, "replace", []textCase{
		{in: "$12", want: "12"},
		{in: "$1$2$", want: "12"},
		{in: "none", want: "none"},
		{in: nil, want: nil},
	}, strE("$"), strE(""))
	checkText(t, "replace", []textCase{
		{in: "a-b-c", want: "a--->b--->c"},
		{in: "---", want: "--->--->--->"},
	}, strE("-"), strE("--->"))
	checkText(t, "replace", []textCase{
		{in: "Zoë Zoë", want: "Zoe Zoe"},
	}, strE("ë"), strE("e"))
}

func TestRegexReplace(t *testing.T) {
	checkText(t, "regex_replace", []textCase{
		{in: "(555) 010-99", want: "55501099"},
		{in: "", want: ""},
		{in: nil, want: nil},
	}, strE("[^0-9]"), strE(""))
	checkText(t, "regex_replace", []textCase{
		{in: "Lee, Ann", want: "Ann Lee"},
		{in: "Ann", want: "Ann"},
	}, strE(`^(\w+), (\w+)$`), strE("$2 $1"))
	checkText(t, "regex_replace", []textCase{
		{in: "a.b.c", want: "a/b/c"},
	}, strE(`\.`), strE("/")) // a literal pattern takes replace's kernel
	checkText(t, "regex_replace", []textCase{
		{in: "x1y", want: "x<1>y"},
	}, strE(`(?P<d>\d)`), strE("<${d}>"))
}

func TestSubstr(t *testing.T) {
	tests := []struct {
		name          string
		start, length int64
		cases         []textCase
	}{
		{name: "prefix", start: 0, length: 3, cases: []textCase{{in: "75012", want: "750"}, {in: "75", want: "75"}, {in: nil, want: nil}}},
		{name: "middle", start: 1, length: 2, cases: []textCase{{in: "Zoë!", want: "oë"}, {in: "a", want: ""}}},
		{name: "rest", start: 2, length: -1, cases: []textCase{{in: "Zoë!", want: "ë!"}, {in: "ab", want: ""}}},
		{name: "from the end", start: -2, length: -1, cases: []textCase{{in: "Zoë!", want: "ë!"}, {in: "a", want: ""}}},
		{name: "from the end, one", start: -3, length: 1, cases: []textCase{{in: "Zoë!", want: "o"}}},
		{name: "start out of range", start: 10, length: 2, cases: []textCase{{in: "Zoë", want: ""}}},
		{name: "zero length", start: 0, length: 0, cases: []textCase{{in: "Zoë", want: ""}}},
		{name: "huge start", start: 1 << 62, length: 1, cases: []textCase{{in: "Zoë", want: ""}}},
		{name: "huge negative start", start: -1 << 62, length: 1, cases: []textCase{{in: "Zoë", want: ""}}},
		{name: "invalid bytes count as characters", start: 1, length: 1, cases: []textCase{{in: "a\xffb", want: "\xff"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkText(t, "substr", tt.cases, intE(tt.start), intE(tt.length)) })
	}
	// Without a length: the rest.
	checkText(t, "substr", []textCase{{in: "Zoë!", want: "ë!"}}, intE(2))
}

func TestLength(t *testing.T) {
	checkText(t, "length", []textCase{
		{in: "Zoë", want: 3},
		{in: "", want: 0},
		{in: "日本語", want: 3},
		{in: "a\xffb", want: 3},
		{in: nil, want: nil},
	})
}

func TestContains(t *testing.T) {
	hay, needle := colE("h", tStr), colE("n", tStr)
	tests := []struct {
		name string
		expr *plan.Expr
		cols []col
		want []any
	}{
		{name: "substring of a literal", expr: callE("contains", hay, strE("Inc")),
			cols: []col{strCol("h", "Kim Inc", "Cook PLC", nil, "")}, want: vals(true, false, nil, false)},
		{name: "empty needle", expr: callE("contains", hay, strE("")),
			cols: []col{strCol("h", "x", "")}, want: vals(true, true)},
		{name: "two columns", expr: callE("contains", hay, needle),
			cols: []col{strCol("h", "abc", "abc", nil, "abc"), strCol("n", "b", "d", "a", nil)}, want: vals(true, false, nil, nil)},
		{name: "literal haystack", expr: callE("contains", strE("A+ A- B+"), needle),
			cols: []col{strCol("n", "A-", "O", nil)}, want: vals(true, false, nil)},
		{name: "list", expr: callE("contains", listE("Male", "Female"), needle),
			cols: []col{strCol("n", "Male", "male", "", nil)}, want: vals(true, false, false, nil)},
		{name: "empty list", expr: callE("contains", listE(), needle),
			cols: []col{strCol("n", "x", nil)}, want: vals(false, nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkEval(t, tt.expr, tt.want, tt.cols...) })
	}
}
