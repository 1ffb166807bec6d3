package runner

import (
	"errors"
	"fmt"
)

// Exit codes.
const (
	ExitOK          = 0
	ExitCheckFailed = 1
	ExitInvalid     = 2
	ExitRuntime     = 3
)

// exitError carries the exit code a failure maps to. A nil err means the
// failure was already reported (diagnostics printed) and only the code is
// left to return.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

func withCode(code int, err error) error { return &exitError{code: code, err: err} }

// reported is the error of a failure whose message is already on the
// screen.
func reported(code int) error { return &exitError{code: code} }

// codeOf maps an error to its exit code: the code it carries, or
// ExitRuntime.
func codeOf(err error) int {
	if err == nil {
		return ExitOK
	}
	var e *exitError
	if errors.As(err, &e) {
		return e.code
	}
	return ExitRuntime
}
