package mongosink

import (
	"errors"
	"strings"
)

// mask replaces every secret in an error, as plan.RedactURI does in a URI.
const mask = "***"

// redactedError is an error whose text had secrets removed. It does not
// unwrap to the original, whose text may still hold them (the driver
// echoes parts of the URI); errors.Is still sees through it, so a caller can
// tell a cancellation from a failure.
type redactedError struct {
	msg   string
	cause error
}

func (e *redactedError) Error() string        { return e.msg }
func (e *redactedError) Is(target error) bool { return errors.Is(e.cause, target) }

// scrub returns err with every secret replaced by ***. With no secrets, err
// is returned as it is.
func scrub(err error, secrets []string) error {
	if err == nil || len(secrets) == 0 {
		return err
	}
	msg := err.Error()
	for _, s := range secrets {
		msg = strings.ReplaceAll(msg, s, mask)
	}
	return &redactedError{msg: msg, cause: err}
}
