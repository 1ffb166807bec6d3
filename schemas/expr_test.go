package schemas

import (
	"fmt"
	"strings"
	"testing"

	"runner/stages/plan"
)

// exprPipeline has a column of each type and a derived column x whose
// expr is the expression under test.
const exprPipeline = `
pipeline "exprs" {
}

variable "factor" {
  type    = number
  default = 5
}

variable "words" {
  type    = list(string)
  default = ["and", ","]
}

source "csv" {
  path = "data.csv"
}

column "name" {
  from = "Name"
}

column "age" {
  from = "Age"
  type = int32
}

column "score" {
  from = "Score"
  type = float64
}

column "amount" {
  from = "Amount"
  type = decimal128
}

column "born" {
  from = "Born"
  type = date
}

column "seen" {
  from = "Seen"
  type = timestamp
}

column "active" {
  from = "Active"
  type = bool
}

column "x" {
  expr = %s
}

document {
  x = col.x
}

target "mongodb" {
  database   = "db"
  collection = "c"
}
`

func TestCompileExpressions(t *testing.T) {
	tests := []struct {
		expr     string
		want     string
		wantType plan.Type
	}{
		{expr: `col.age + 1`, want: `col.age + 1`, wantType: plan.TypeInt64},
		{expr: `col.age / 2`, want: `col.age / 2`, wantType: plan.TypeFloat64},
		{expr: `col.amount * 2`, want: `col.amount * 2`, wantType: plan.TypeFloat64},
		{expr: `(col.age)`, want: `col.age`, wantType: plan.TypeInt32},
		{expr: `-col.age`, want: `-col.age`, wantType: plan.TypeInt32},
		{expr: `-5`, want: `-5`, wantType: plan.TypeInt64},
		{expr: `2.5`, want: `2.5`, wantType: plan.TypeFloat64},
		{expr: `!col.active`, want: `!col.active`, wantType: plan.TypeBool},
		{expr: `col.age == null`, want: `is_null(col.age)`, wantType: plan.TypeBool},
		{expr: `null != col.name`, want: `!is_null(col.name)`, wantType: plan.TypeBool},
		{expr: `col.born >= "2024-01-31"`, want: `col.born >= 2024-01-31`, wantType: plan.TypeBool},
		{expr: `"2024-01-31T09:30:00+01:00" < col.seen`, want: `2024-01-31T08:30:00Z < col.seen`, wantType: plan.TypeBool},
		{expr: `"plain text"`, want: `"plain text"`, wantType: plan.TypeString},
		{expr: `"${col.name}-${col.age}"`, want: `concat(col.name, "-", col.age)`, wantType: plan.TypeString},
		{expr: `"${col.name}"`, want: `col.name`, wantType: plan.TypeString},
		{expr: `var.factor * col.age`, want: `5 * col.age`, wantType: plan.TypeInt64},
		{expr: `strip_dangling(col.name, var.words)`, want: `strip_dangling(col.name, ["and", ","])`, wantType: plan.TypeString},
		{expr: `strip_dangling(col.name)`, want: `strip_dangling(col.name, [",", ";", "&", "-", "and"])`, wantType: plan.TypeString},
		{expr: `substr(col.name, -3)`, want: `substr(col.name, -3, -1)`, wantType: plan.TypeString},
		{expr: `round(col.score)`, want: `round(col.score, 0)`, wantType: plan.TypeFloat64},
		{expr: `round(col.age)`, want: `round(col.age, 0)`, wantType: plan.TypeInt32},
		{expr: `coalesce(col.age, 0)`, want: `coalesce(col.age, 0)`, wantType: plan.TypeInt64},
		{expr: `col.age > 1 ? col.age : 2.5`, want: `(col.age > 1) ? col.age : 2.5`, wantType: plan.TypeFloat64},
		{expr: `col.active ? "yes" : null`, want: `col.active ? "yes" : null`, wantType: plan.TypeString},
		{expr: `col.active || col.age > 3 && col.score < 1`, want: `col.active || ((col.age > 3) && (col.score < 1))`, wantType: plan.TypeBool},
		{expr: `contains(["A", "B"], col.name)`, want: `contains(["A", "B"], col.name)`, wantType: plan.TypeBool},
		{expr: `env("DATA_DIR")`, want: `"data"`, wantType: plan.TypeString},
		{expr: `concat(file("secrets/salt.txt"), col.name)`, want: `concat("pepper", col.name)`, wantType: plan.TypeString},
		{expr: `days_between(col.born, col.seen)`, want: `days_between(col.born, col.seen)`, wantType: plan.TypeInt32},
		{expr: `format("%05.1f%%", col.score)`, want: `format("%05.1f%%", col.score)`, wantType: plan.TypeString},
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			p := mustLoad(t, fmt.Sprintf(exprPipeline, tc.expr), testOptions(nil, nil))
			x, _ := p.Column("x")
			if got := x.Expr.String(); got != tc.want {
				t.Errorf("compiled to %s, want %s", got, tc.want)
			}
			if x.Expr.Type != tc.wantType || x.Type != tc.wantType {
				t.Errorf("type = %s (column %s), want %s", x.Expr.Type, x.Type, tc.wantType)
			}
			x.Expr.Walk(func(n *plan.Expr) {
				if n.Range.Filename == "" || n.Range.Start.Line == 0 {
					t.Errorf("node %s has no source range", n)
				}
			})
		})
	}
}

func TestCompileExpressionErrors(t *testing.T) {
	tests := []struct {
		expr        string
		wantSummary string
		wantDetail  string
	}{
		{expr: `round(col.name)`, wantSummary: "Invalid function argument", wantDetail: "round needs a number, got string: col.name is a string column."},
		{expr: `substr(col.name, col.age)`, wantSummary: "Constant argument required", wantDetail: "The start argument of substr must be known before any row is read"},
		{expr: `substr(col.name, 1.5)`, wantSummary: "Invalid function argument", wantDetail: "substr needs a whole number as its start argument, got float64"},
		{expr: `concat()`, wantSummary: "Wrong number of arguments", wantDetail: "concat takes at least 1 argument, and 0 were given."},
		{expr: `coalesce(col.name, col.age)`, wantSummary: "Invalid function call", wantDetail: "Coalesce needs arguments of one type, got string and int32."},
		{expr: `strip_dangling(col.name, [col.name])`, wantSummary: "Invalid list element", wantDetail: "The words list of strip_dangling holds strings known before any row is read"},
		{expr: `parse_date(col.name, "DD/MM/YYYY")`, wantSummary: "Invalid date format", wantDetail: `Did you mean "02/01/2006"?`},
		{expr: `parse_timestamp(col.name, "2006-01-02", "Europe/Pariss")`, wantSummary: "Unknown time zone", wantDetail: `"Europe/Pariss" is not an IANA time zone name`},
		{expr: `format("%d items", col.score)`, wantSummary: "Invalid format layout", wantDetail: "%d formats a whole number, and col.score is a float64 column."},
		{expr: `format("%s and %s", col.name)`, wantSummary: "Invalid format layout", wantDetail: `has 2 verbs, and 1 value follow it`},
		{expr: `col.name.first`, wantSummary: "Invalid column reference", wantDetail: "nothing after the name"},
		{expr: `age + 1`, wantSummary: "Unknown name", wantDetail: "Did you mean col.age?"},
		{expr: `var.factr`, wantSummary: "Unknown variable", wantDetail: `Did you mean "factor"?`},
		{expr: `col.score["a"]`, wantSummary: "Invalid column reference", wantDetail: "nothing after the name"},
		{expr: `col.score[col.age]`, wantSummary: "Unsupported expression", wantDetail: "An index or attribute access is not supported"},
		{expr: `{ a = 1 }`, wantSummary: "Unsupported expression", wantDetail: "Objects belong in the document block"},
		{expr: `["a"]`, wantSummary: "Unsupported expression", wantDetail: "A list may only be the argument of a function"},
		{expr: `var.words`, wantSummary: "Incompatible expression type", wantDetail: "a list of strings, which no column can hold"},
		{expr: `col.active ? 1 : "one"`, wantSummary: "Mismatched conditional results", wantDetail: `1 is an int64 and "one" is a string`},
		{expr: `col.age ? 1 : 2`, wantSummary: "Invalid condition", wantDetail: "col.age is an int32 column"},
		{expr: `-col.name`, wantSummary: "Incompatible operand type", wantDetail: "Operator - needs a number, got string"},
		{expr: `col.seen > "yesterday"`, wantSummary: "Invalid timestamp literal", wantDetail: "ISO 8601"},
		{expr: `concat(col.name...)`, wantSummary: "Unsupported expression", wantDetail: "Expanding a list into arguments"},
		{expr: `provider::x::y(col.name)`, wantSummary: "Unknown function", wantDetail: "There is no function named"},
	}
	exprLine := strings.Count(exprPipeline[:strings.Index(exprPipeline, "expr = %s")], "\n") + 1
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			p, ds, l := loadString(t, "test.hcl", fmt.Sprintf(exprPipeline, tc.expr), testOptions(nil, nil))
			if p != nil || len(ds) != 1 {
				t.Fatalf("want exactly one error, got:\n%s", renderText(t, ds, l.Sources()))
			}
			if ds[0].Summary != tc.wantSummary || !strings.Contains(ds[0].Detail, tc.wantDetail) {
				t.Errorf("got %q: %s\nwant %q containing %q", ds[0].Summary, ds[0].Detail, tc.wantSummary, tc.wantDetail)
			}
			if ds[0].Subject == nil || ds[0].Subject.Start.Line != exprLine {
				t.Errorf("subject %v is not on the expr's line (%d)", ds[0].Subject, exprLine)
			}
		})
	}
}

func TestCleanChain(t *testing.T) {
	src := strings.Replace(fmt.Sprintf(exprPipeline, "col.name"), "column \"name\" {\n  from = \"Name\"",
		"column \"name\" {\n  from = \"Name\"\n  clean = [trim, replace(\"$\", \"\"), substr(0, var.factor), person_name]", 1)
	p := mustLoad(t, src, testOptions(nil, nil))
	name, _ := p.Column("name")
	want := `person_name(substr(replace(trim(self), "$", ""), 0, 5))`
	if got := name.Clean.String(); got != want {
		t.Errorf("clean compiled to %s, want %s", got, want)
	}
	if name.Clean.Type != plan.TypeString {
		t.Errorf("clean type = %s", name.Clean.Type)
	}
}

func TestColumnOrder(t *testing.T) {
	src := strings.Replace(fmt.Sprintf(exprPipeline, "col.y + 1"), "document {",
		"column \"y\" {\n  expr = col.z * 2\n}\n\ncolumn \"z\" {\n  expr = col.age\n}\n\ndocument {", 1)
	p := mustLoad(t, src, testOptions(nil, nil))
	var names []string
	for _, i := range p.Order {
		names = append(names, p.Columns[i].Name)
	}
	want := "name age score amount born seen active z y x"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("order = %s, want %s", got, want)
	}
	if x, _ := p.Column("x"); x.Type != plan.TypeInt64 {
		t.Errorf("x took type %s through y and z, want int64", x.Type)
	}
}
