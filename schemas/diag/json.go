package diag

import "runner/stages/plan"

// Report is the JSON rendering of a file's diagnostics (`--json`): the same
// content as the text rendering, for editors and CI.
type Report struct {
	Valid        bool             `json:"valid"`
	ErrorCount   int              `json:"error_count"`
	WarningCount int              `json:"warning_count"`
	Diagnostics  []JSONDiagnostic `json:"diagnostics"`
}

// JSONDiagnostic is one diagnostic in a Report.
type JSONDiagnostic struct {
	// Severity is "error" or "warning".
	Severity string       `json:"severity"`
	Summary  string       `json:"summary"`
	Detail   string       `json:"detail,omitempty"`
	Range    *plan.Range  `json:"range,omitempty"`
	Snippet  *JSONSnippet `json:"snippet,omitempty"`
}

// JSONSnippet is the source line a diagnostic's range starts on. The
// highlight offsets are byte offsets into Code.
type JSONSnippet struct {
	Code                 string `json:"code"`
	StartLine            int    `json:"start_line"`
	HighlightStartOffset int    `json:"highlight_start_offset"`
	HighlightEndOffset   int    `json:"highlight_end_offset"`
}

// JSON renders ds for machines; sources provide the snippets as in WriteText.
func JSON(ds Diagnostics, sources map[string][]byte) Report {
	errs, warns := ds.Counts()
	r := Report{Valid: errs == 0, ErrorCount: errs, WarningCount: warns, Diagnostics: []JSONDiagnostic{}}
	for _, d := range ds {
		jd := JSONDiagnostic{Severity: "error", Summary: d.Summary, Detail: d.Detail, Range: d.Subject}
		if d.Severity == Warning {
			jd.Severity = "warning"
		}
		if s, ok := snippetFor(d.Subject, sources); ok {
			jd.Snippet = &JSONSnippet{Code: s.Code, StartLine: s.Line, HighlightStartOffset: s.HighStart, HighlightEndOffset: s.HighEnd}
		}
		r.Diagnostics = append(r.Diagnostics, jd)
	}
	return r
}
