package mongosink

import (
	"errors"
	"net/url"
	"strings"
)

// mask replaces every secret in a redacted URI or error.
const mask = "***"

// Redact returns uri with its password and credential-bearing options
// replaced by ***, for messages and reports:
// mongodb://writer:***@host/db?authSource=admin. It does not need a valid
// URI: anything between the scheme and the last '@' before the path is
// treated as user information.
func Redact(uri string) string {
	p := splitURI(uri)
	var b strings.Builder
	b.WriteString(p.scheme)
	if p.hasUser {
		b.WriteString(p.user)
		if p.hasPassword {
			b.WriteString(":" + mask)
		}
		b.WriteByte('@')
	}
	b.WriteString(p.hostPath)
	if p.hasQuery {
		b.WriteByte('?')
		for i, kv := range strings.Split(p.query, "&") {
			if i > 0 {
				b.WriteByte('&')
			}
			key, _, hasValue := strings.Cut(kv, "=")
			if hasValue && sensitiveOption(key) {
				kv = key + "=" + mask
			}
			b.WriteString(kv)
		}
	}
	return b.String()
}

// uriParts is a connection string cut where Redact needs it.
type uriParts struct {
	scheme, user, password, hostPath, query string
	hasUser, hasPassword, hasQuery          bool
}

func splitURI(uri string) uriParts {
	var p uriParts
	rest := uri
	if i := strings.Index(rest, "://"); i >= 0 {
		p.scheme, rest = rest[:i+3], rest[i+3:]
	}
	// A password may hold '/', '?' or '@' when the user forgot to escape
	// them, so the user information ends at the last '@'.
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		p.hasUser = true
		userinfo := rest[:at]
		rest = rest[at+1:]
		p.user, p.password, p.hasPassword = strings.Cut(userinfo, ":")
	}
	p.hostPath, p.query, p.hasQuery = strings.Cut(rest, "?")
	return p
}

func sensitiveOption(key string) bool {
	k := strings.ToLower(key)
	if unescaped, err := url.QueryUnescape(k); err == nil {
		k = unescaped
	}
	// These options carry credentials: AWS session tokens and the
	// passwords of client keys.
	switch k {
	case "authmechanismproperties", "tlscertificatekeyfilepassword", "sslclientcertificatekeypassword":
		return true
	}
	return false
}

// secretsOf lists the strings of uri that must never appear in an error:
// the password and credential-bearing option values, as written and
// unescaped.
func secretsOf(uri string) []string {
	p := splitURI(uri)
	var raw []string
	if p.hasPassword && p.password != "" {
		raw = append(raw, p.password)
	}
	if p.hasQuery {
		for _, kv := range strings.Split(p.query, "&") {
			key, value, ok := strings.Cut(kv, "=")
			if ok && value != "" && sensitiveOption(key) {
				raw = append(raw, value)
			}
		}
	}
	var out []string
	for _, s := range raw {
		out = append(out, s)
		for _, unescape := range []func(string) (string, error){url.PathUnescape, url.QueryUnescape} {
			if u, err := unescape(s); err == nil && u != s && u != "" {
				out = append(out, u)
			}
		}
		out = append(out, url.QueryEscape(s), url.PathEscape(s))
	}
	return out
}

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
