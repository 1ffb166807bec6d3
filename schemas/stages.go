package schemas

import (
	"fmt"
	"strconv"
	"strings"

	"runner/stages/plan"
)

// buildStages lays out the stage graph in execution order with the schema
// on every edge, as `runner plan` prints it.
func buildStages(p *plan.Plan) []plan.Stage {
	source := sourceFields(p)
	columns := columnFields(p)
	document := documentFields(p)
	stages := []plan.Stage{
		{ID: "source." + p.Source.Format, Kind: plan.StageSource, Summary: sourceSummary(p.Source), Output: source},
		{ID: "columns", Kind: plan.StageColumns, Summary: columnsSummary(p.Columns), Input: source, Output: columns},
	}
	if p.Dedup != nil {
		stages = append(stages, plan.Stage{ID: "dedup", Kind: plan.StageDedup, Summary: dedupSummary(p.Dedup), Input: columns, Output: columns})
	}
	if summary := checksSummary(p.Checks); summary != "" {
		stages = append(stages, plan.Stage{ID: "checks", Kind: plan.StageChecks, Summary: summary, Input: columns, Output: columns})
	}
	stages = append(stages,
		plan.Stage{ID: "document", Kind: plan.StageDocument, Summary: documentSummary(p), Input: columns, Output: document},
		plan.Stage{ID: "target." + p.Target.Kind, Kind: plan.StageTarget, Summary: targetSummary(&p.Target), Input: document},
	)
	if summary := verifySummary(p.Checks); summary != "" {
		stages = append(stages, plan.Stage{ID: "verify", Kind: plan.StageVerify, Summary: summary, Input: document})
	}
	return append(stages, plan.Stage{ID: "report", Kind: plan.StageReport, Summary: reportSummary(p.Report)})
}

// sourceFields are the source fields the columns read, as text, named as
// the file names them.
func sourceFields(p *plan.Plan) []plan.Field {
	var fields []plan.Field
	seen := map[string]bool{}
	for _, c := range p.Columns {
		if c.From == "" || seen[c.From] {
			continue
		}
		seen[c.From] = true
		fields = append(fields, plan.Field{Name: c.From, Type: plan.TypeString, Nullable: len(p.Source.NullValues) > 0})
	}
	return fields
}

// columnFields are the typed columns: a column can be null unless it is
// required or has a default.
func columnFields(p *plan.Plan) []plan.Field {
	fields := make([]plan.Field, 0, len(p.Columns))
	for _, c := range p.Columns {
		fields = append(fields, plan.Field{Name: c.Name, Type: c.Type, Nullable: !c.Required && c.Default == nil})
	}
	return fields
}

// documentFields are the document's leaf paths, _id first.
func documentFields(p *plan.Plan) []plan.Field {
	nullableCol := map[string]bool{}
	for _, c := range p.Columns {
		nullableCol[c.Name] = !c.Required && c.Default == nil
	}
	var fields []plan.Field
	if p.Document.IDField() == nil {
		fields = append(fields, plan.Field{Name: "_id", Type: plan.TypeString})
	}
	leaves := documentLeaves(p.Document.Fields, "")
	// An explicit _id leads the document wherever it is written.
	for _, pass := range []bool{true, false} {
		for _, l := range leaves {
			if isID := l.path == "_id" || strings.HasPrefix(l.path, "_id."); isID == pass {
				fields = append(fields, plan.Field{Name: l.path, Type: l.expr.Type, Nullable: nullable(l.expr, nullableCol)})
			}
		}
	}
	return fields
}

// nullable reports whether e can be null for some row, under SQL's null
// semantics; it errs towards true.
func nullable(e *plan.Expr, nullableCol map[string]bool) bool {
	switch e.Kind {
	case plan.ExprColumn:
		return nullableCol[e.Column]
	case plan.ExprLiteral:
		return e.Value.IsNull()
	case plan.ExprCall:
		switch e.Func {
		case "is_null":
			return false
		case "parse_date", "parse_timestamp":
			return true
		case "coalesce":
			for _, a := range e.Args {
				if !nullable(a, nullableCol) {
					return false
				}
			}
			return true
		}
	case plan.ExprBinary:
		// Division and modulo by zero give null.
		if e.Op == plan.OpDiv || e.Op == plan.OpMod {
			return true
		}
	}
	for _, a := range e.Args {
		if nullable(a, nullableCol) {
			return true
		}
	}
	return e.Kind == plan.ExprSelf
}

func sourceSummary(src plan.Source) string {
	parts := []string{"header"}
	if !src.Header {
		parts[0] = "no header"
	}
	parts = append(parts, strconv.Quote(string(src.Delimiter))+" delimited")
	switch src.Quote {
	case 0:
		parts = append(parts, "no quoting")
	case '"':
	default:
		parts = append(parts, "quote "+strconv.Quote(string(src.Quote)))
	}
	if src.Comment != 0 {
		parts = append(parts, "comments start with "+strconv.Quote(string(src.Comment)))
	}
	if len(src.NullValues) > 0 {
		quoted := make([]string, len(src.NullValues))
		for i, v := range src.NullValues {
			quoted[i] = strconv.Quote(v)
		}
		parts = append(parts, "nulls: "+strings.Join(quoted, ", "))
	}
	what := src.Path
	if strings.ContainsAny(src.Path, "*?[") {
		what = "the files matching " + src.Path
	}
	return fmt.Sprintf("read %s (%s) in batches of %d rows", what, strings.Join(parts, ", "), src.BatchRows)
}

func columnsSummary(cols []plan.Column) string {
	cleaned, derived := 0, 0
	for _, c := range cols {
		if c.Clean != nil {
			cleaned++
		}
		if c.Derived() {
			derived++
		}
	}
	var verbs, counts []string
	if cleaned > 0 {
		verbs = append(verbs, "clean")
		counts = append(counts, fmt.Sprintf("%d cleaned", cleaned))
	}
	if derived < len(cols) {
		verbs = append(verbs, "cast")
	}
	if derived > 0 {
		verbs = append(verbs, "derive")
		counts = append(counts, fmt.Sprintf("%d derived", derived))
	}
	s := joinList(verbs, "and") + " " + plural(len(cols), "column")
	if len(counts) > 0 {
		s += " (" + strings.Join(counts, ", ") + ")"
	}
	return s
}

func dedupSummary(d *plan.Dedup) string {
	if d.AllColumns {
		return "drop rows equal in every column, keep the " + d.Keep.String()
	}
	return fmt.Sprintf("drop rows with equal %s, keep the %s", joinList(d.Keys, "and"), d.Keep)
}

// checksSummary describes the checks that run on the kept rows before the
// load; "" when there are none.
func checksSummary(checks []plan.Check) string {
	n, warn := 0, 0
	for _, c := range checks {
		if c.Kind == plan.CheckInDatabase {
			continue
		}
		n++
		if c.Severity == plan.SeverityWarn {
			warn++
		}
	}
	switch {
	case n == 0:
		return ""
	case warn > 0:
		return fmt.Sprintf("%s on the kept rows (%d warn)", plural(n, "check"), warn)
	}
	return plural(n, "check") + " on the kept rows"
}

func documentSummary(p *plan.Plan) string {
	fields := 0
	for _, l := range documentLeaves(p.Document.Fields, "") {
		if l.path != "_id" && !strings.HasPrefix(l.path, "_id.") {
			fields++
		}
	}
	shape := "build flat documents: "
	if objects := countObjects(p.Document.Fields); objects > 0 {
		shape = fmt.Sprintf("build nested documents: %s, ", plural(objects, "object"))
	}
	return shape + plural(fields, "field") + ", " + idSummary(&p.Document, &p.Target, len(p.Columns))
}

func targetSummary(t *plan.Target) string {
	where := t.Database + "." + t.Collection
	if t.URI == "" {
		where += " in the embedded store (" + t.EmbeddedDir + ")"
	}
	var indexes string
	if len(t.Indexes) > 0 {
		indexes = ", create " + plural(len(t.Indexes), "index")
	}
	switch t.Mode {
	case plan.ModeAppend:
		return fmt.Sprintf("append to %s: insert documents whose _id is new%s", where, indexes)
	case plan.ModeUpsert:
		return fmt.Sprintf("upsert into %s: replace documents with the same _id, insert the others%s", where, indexes)
	}
	return fmt.Sprintf("replace %s: load a staging collection%s, verify, swap it in", where, indexes)
}

// verifySummary describes the in_database checks; "" when there are none.
func verifySummary(checks []plan.Check) string {
	sample, found := 0, false
	for _, c := range checks {
		if c.Kind == plan.CheckInDatabase {
			found = true
			sample = max(sample, c.Sample)
		}
	}
	switch {
	case !found:
		return ""
	case sample == 0:
		return "compare what landed with what was sent: count, content, field types"
	}
	return fmt.Sprintf("compare what landed with what was sent: count, content, field types, %s", plural(sample, "sampled document"))
}

// reportFiles names the file each report format writes.
var reportFiles = map[string]string{"json": "run.json", "markdown": "cleaning.md", "csv": "quality.csv"}

func reportSummary(r plan.Report) string {
	var files []string
	for _, f := range r.Formats {
		files = append(files, reportFiles[f])
	}
	files = append(files, "rejects.csv")
	return fmt.Sprintf("write %s under %s/", joinList(files, "and"), strings.TrimSuffix(r.Dir, "/"))
}
