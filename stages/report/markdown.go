package report

import (
	"fmt"
	"strconv"
	"strings"
)

// WriteMarkdown writes cleaning.md: what happened to the rows and to each
// column, which checks failed and why, written for the people who own the
// data rather than for the machine.
func WriteMarkdown(dir string, run *Run, scrub Scrub) error {
	var b strings.Builder
	writeHeading(&b, run)
	writeRows(&b, run)
	writeColumns(&b, run)
	writeDedup(&b, run)
	writeChecks(&b, run)
	writeVerification(&b, run)
	writeRejects(&b, run)
	return writeFile(dir, CleaningFile, []byte(b.String()), scrub)
}

func writeHeading(b *strings.Builder, run *Run) {
	fmt.Fprintf(b, "# Cleaning report: %s\n\n", visible(run.Pipeline, false))
	mode := run.Target.Mode
	if run.DryRun {
		mode += ", dry run: nothing written"
	}
	fmt.Fprintf(b, "Run `%s` of `%s`, %s UTC, %s in %.1f s. Target: %s.%s (%s) at %s.\n\n",
		run.RunID, visible(run.File, false), run.StartedAt.UTC().Format("2006-01-02 15:04:05"), run.Status, run.Seconds,
		visible(run.Target.Database, false), visible(run.Target.Collection, false), mode, visible(run.Target.URI, false))
	if run.Error != "" {
		fmt.Fprintf(b, "**The run failed:** %s\n\n", visible(run.Error, true))
	}
}

func writeRows(b *strings.Builder, run *Run) {
	r := run.Reconciliation
	b.WriteString("## Rows\n\n| | rows |\n|---|---:|\n")
	fmt.Fprintf(b, "| read from %s | %s |\n", plural(len(run.Source.Files), "file"), Thousands(r.RowsRead))
	fmt.Fprintf(b, "| rejected (see rejects.csv) | %s |\n", Thousands(r.RowsRejected))
	fmt.Fprintf(b, "| removed as duplicates | %s |\n", Thousands(r.RowsDeduplicated))
	verb := "loaded"
	if run.DryRun {
		verb = "ready to load"
	}
	fmt.Fprintf(b, "| %s | %s |\n", verb, Thousands(r.RowsLoaded))
	if r.RowsDiscarded > 0 {
		fmt.Fprintf(b, "| staged and discarded (the previous collection was kept) | %s |\n", Thousands(r.RowsDiscarded))
	}
	if r.RowsNotProcessed > 0 {
		fmt.Fprintf(b, "| not processed (the run stopped early) | %s |\n", Thousands(r.RowsNotProcessed))
	}
	mark := "holds"
	switch {
	case run.Status == StatusFailed || run.Status == StatusCancelled:
		mark = "is partial: the run stopped before the end"
	case !r.Holds:
		mark = "**does not hold: rows are unaccounted for**"
	}
	fmt.Fprintf(b, "\n%s, which %s.\n\n", r.Equation(verb), mark)
}

func writeColumns(b *strings.Builder, run *Run) {
	if len(run.Cleaning) == 0 {
		return
	}
	b.WriteString("## Columns\n\n")
	b.WriteString("| column | from | type | steps | changed | nulls | cast failures | defaults | required but missing |\n")
	b.WriteString("|---|---|---|---|---:|---:|---:|---:|---:|\n")
	for _, c := range run.Cleaning {
		failures := Thousands(c.CastFailures)
		if c.CastFailures > 0 {
			failures += " (" + c.OnError + ")"
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", cell(c.Column), cell(c.From), c.Type, cell(c.Steps),
			Thousands(c.Changed), Thousands(c.Nulls), failures, Thousands(c.DefaultsApplied), Thousands(c.RequiredMissing))
	}
	b.WriteString("\n*changed*: values whose final text differs from the text in the file.\n\n")
	for _, c := range run.Cleaning {
		if len(c.Examples) == 0 {
			continue
		}
		fmt.Fprintf(b, "### %s\n\n%s of %s values changed", visible(c.Column, false), Thousands(c.Changed), Thousands(run.Reconciliation.RowsRead-run.Reconciliation.RowsRejected))
		if c.Sensitive {
			b.WriteString("; the column is sensitive, so its values are not shown.\n\n")
			continue
		}
		b.WriteString(". The first changes:\n\n| line | before | after |\n|---:|---|---|\n")
		for _, e := range c.Examples {
			fmt.Fprintf(b, "| %d | %s | %s |\n", e.Line, code(e.Before), code(e.After))
		}
		b.WriteString("\n")
	}
}

func writeDedup(b *strings.Builder, run *Run) {
	d := run.Dedup
	if d == nil {
		return
	}
	b.WriteString("## Duplicates\n\n")
	if d.Removed == 0 {
		fmt.Fprintf(b, "No two rows were equal in %s.\n\n", visible(d.Keys, false))
		return
	}
	fmt.Fprintf(b, "%s equal in %s to another row were removed, keeping the %s of each group.", plural64(d.Removed, "row"), visible(d.Keys, false), d.Keep)
	if len(d.Lines) > 0 {
		fmt.Fprintf(b, " The first removed rows are on lines %s.", joinLines(d.Lines))
	}
	b.WriteString("\n\n")
}

func writeChecks(b *strings.Builder, run *Run) {
	if len(run.Checks) == 0 {
		return
	}
	b.WriteString("## Checks\n\n| check | kind | severity | status | failing rows | tolerated | declared |\n|---|---|---|---|---:|---:|---|\n")
	for _, c := range run.Checks {
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s |\n", cell(c.Name), c.Kind, c.Severity, statusWord(c.Status),
			Thousands(c.Failures), c.Tolerated, cell(c.Declared))
	}
	b.WriteString("\n")
	for _, c := range run.Checks {
		if c.Failures == 0 && c.Detail == "" {
			continue
		}
		fmt.Fprintf(b, "### %s\n\n", visible(c.Name, false))
		if c.Message != "" {
			fmt.Fprintf(b, "%s\n\n", visible(c.Message, true))
		}
		if c.Detail != "" {
			fmt.Fprintf(b, "%s\n\n", visible(c.Detail, true))
		}
		if len(c.Samples) == 0 {
			continue
		}
		fmt.Fprintf(b, "%s failed; the first:\n\n| line | values |\n|---:|---|\n", plural64(c.Failures, "row"))
		for _, s := range c.Samples {
			var parts []string
			for _, v := range s.Values {
				parts = append(parts, visible(v.Name, false)+" = "+code(v.Value))
			}
			if s.Note != "" {
				parts = append(parts, visible(s.Note, false))
			}
			fmt.Fprintf(b, "| %d | %s |\n", s.Line, cell(strings.Join(parts, ", ")))
		}
		b.WriteString("\n")
	}
}

func statusWord(status string) string {
	switch status {
	case "failed":
		return "**failed**"
	case "warned":
		return "*warned*"
	}
	return status
}

func writeVerification(b *strings.Builder, run *Run) {
	v := run.Verification
	if v == nil {
		return
	}
	b.WriteString("## In the database\n\n")
	verdict := "Everything sent landed as it was sent."
	if !v.Passed {
		verdict = "**What landed differs from what was sent.**"
	}
	fmt.Fprintf(b, "%s %s expected, %s found; content digest %s; %s duplicate _id values; %s sampled and compared field by field (%s); %.1f s.\n\n",
		verdict, Thousands(v.Expected), Thousands(v.Found), matchWord(v.DigestMatch), Thousands(v.DuplicateIDs),
		plural(v.Sampled, "document"), plural(len(v.SampleMismatches), "difference"), v.Seconds)
	if v.Served > 0 {
		fmt.Fprintf(b, "%s read through the server were compared with what the store's files hold: %s.\n\n",
			plural(v.Served, "document"), plural(v.ServedMismatches, "difference"))
	}
	for _, m := range v.TypeMismatches {
		fmt.Fprintf(b, "- %s: sent %s, found %s\n", code(m.Path), m.Sent, m.Got)
	}
	for _, m := range v.SampleMismatches {
		fmt.Fprintf(b, "- line %d, _id %s, %s: sent %s, found %s\n", m.Line, visible(m.ID, false), code(m.Path), code(m.Want), code(m.Got))
	}
	if len(v.TypeMismatches)+len(v.SampleMismatches) > 0 {
		b.WriteString("\n")
	}
}

func matchWord(ok bool) string {
	if ok {
		return "equal"
	}
	return "**different**"
}

func writeRejects(b *strings.Builder, run *Run) {
	r := run.Rejects
	b.WriteString("## Rejects\n\n")
	if r.Rows == 0 {
		b.WriteString("No row was rejected.\n")
		return
	}
	fmt.Fprintf(b, "%s could not be read or cast and are in `%s` with their line, reason and text (limit %s", plural64(r.Rows, "row"), r.File, r.Limit)
	if r.Exceeded {
		b.WriteString(", **exceeded**")
	}
	b.WriteString(").\n\n| column | rows | first reason |\n|---|---:|---|\n")
	for _, reason := range r.Reasons {
		column := cell(reason.Column)
		if reason.Column == "" {
			column = "(whole line)"
		}
		fmt.Fprintf(b, "| %s | %s | %s |\n", column, Thousands(reason.Rows), cell(reason.Example))
	}
}

func joinLines(lines []int) string {
	parts := make([]string, len(lines))
	for i, l := range lines {
		parts[i] = strconv.Itoa(l)
	}
	return strings.Join(parts, ", ")
}

// Thousands renders n with thousands separators: 55500 → 55,500.
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}

func plural(n int, noun string) string { return plural64(int64(n), noun) }

func plural64(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return Thousands(n) + " " + noun + "s"
}

// cell escapes text for a Markdown table cell: hidden characters become
// visible escapes, and a pipe no longer ends the cell.
func cell(s string) string {
	if s == "" {
		return "–"
	}
	return strings.ReplaceAll(visible(s, false), "|", `\|`)
}

// code renders a value as inline code, so leading and trailing spaces and
// empty strings stay visible, and so do hidden characters, as escapes.
func code(s string) string {
	if s == "" {
		return "(empty)"
	}
	s = strings.NewReplacer("|", `\|`, "`", "'").Replace(visible(s, false))
	return "`" + s + "`"
}
