package runner

import (
	"io"

	"runner/stages/plan"
)

// redactingWriter replaces the plan's secrets (sensitive variables' values)
// and URI credentials in everything written through it. Every line runner
// prints is one Write (fmt.Fprintf, a JSON encoding, a progress update), so
// a secret is never split across two writes.
type redactingWriter struct {
	w io.Writer
	r plan.Redactor
}

func (rw redactingWriter) Write(p []byte) (int, error) {
	if _, err := rw.w.Write(rw.r.Bytes(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// redactOutput makes everything the command prints from now on go through
// the plan's redactor: the plan, the summary, -json and the final error.
func (a *app) redactOutput(p *plan.Plan) {
	r := p.Redactor()
	a.stdout = redactingWriter{a.stdout, r}
	a.stderr = redactingWriter{a.stderr, r}
}
