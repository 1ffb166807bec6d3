package diag

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// detailWidth is where detail text wraps: the sentences stay readable in an
// 80-column terminal after their two-space indent.
const detailWidth = 78

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[1;31m"
	ansiYellow = "\x1b[1;33m"
	ansiBlue   = "\x1b[34m"
)

// WriteText renders every diagnostic for people, in the order given:
//
//	Error: Unknown column
//
//	  --> pipelines/healthcare.hcl:131:18
//	     |
//	 131 |     name       = col.nmae
//	     |                  ^^^^^^^^
//	     |
//	  The pipeline has no column named "nmae". Did you mean "name"?
//
// sources maps file names to their text for the snippets; a diagnostic whose
// file is not there shows its location without a snippet, and one without a
// subject shows neither. color adds ANSI colors, for terminals only.
func WriteText(w io.Writer, ds Diagnostics, sources map[string][]byte, color bool) error {
	bw := bufio.NewWriter(w)
	for _, d := range ds {
		writeDiagnostic(bw, d, sources, color)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write diagnostics: %w", err)
	}
	return nil
}

func writeDiagnostic(w *bufio.Writer, d *Diagnostic, sources map[string][]byte, color bool) {
	paint := func(code, s string) string {
		if !color {
			return s
		}
		return code + s + ansiReset
	}
	sevColor := ansiRed
	if d.Severity == Warning {
		sevColor = ansiYellow
	}
	fmt.Fprintf(w, "%s: %s\n\n", paint(sevColor, d.Severity.String()), paint(ansiBold, d.Summary))
	if d.Subject != nil {
		fmt.Fprintf(w, "  %s %s\n", paint(ansiBlue, "-->"), d.Subject)
		if s, ok := snippetFor(d.Subject, sources); ok {
			num := strconv.Itoa(s.Line)
			pad := strings.Repeat(" ", len(num))
			gutter := paint(ansiBlue, " "+pad+" |")
			fmt.Fprintf(w, "%s\n", gutter)
			fmt.Fprintf(w, "%s %s\n", paint(ansiBlue, " "+num+" |"), s.Code)
			fmt.Fprintf(w, "%s %s%s\n", gutter, caretIndent(s.Code[:s.HighStart]),
				paint(sevColor, strings.Repeat("^", max(1, utf8.RuneCountInString(s.Code[s.HighStart:s.HighEnd])))))
			fmt.Fprintf(w, "%s\n", gutter)
		} else {
			w.WriteString("\n")
		}
	}
	if d.Detail != "" {
		for _, line := range wrap(d.Detail, detailWidth) {
			if line == "" {
				w.WriteString("\n")
				continue
			}
			fmt.Fprintf(w, "  %s\n", line)
		}
	}
	w.WriteString("\n")
}

// caretIndent keeps tabs as tabs so the carets line up under the code
// whatever the terminal's tab width.
func caretIndent(prefix string) string {
	var b strings.Builder
	for _, r := range prefix {
		if r == '\t' {
			b.WriteRune('\t')
		} else {
			b.WriteRune(' ')
		}
	}
	return b.String()
}

// wrap breaks text into lines of at most width characters at spaces. Lines
// that start with white space (examples, lists) are kept as they are.
func wrap(text string, width int) []string {
	var out []string
	for _, para := range strings.Split(text, "\n") {
		if para == "" || para[0] == ' ' || para[0] == '\t' {
			out = append(out, para)
			continue
		}
		line := ""
		for _, word := range strings.Fields(para) {
			switch {
			case line == "":
				line = word
			case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(word) > width:
				out = append(out, line)
				line = word
			default:
				line += " " + word
			}
		}
		out = append(out, line)
	}
	return out
}
