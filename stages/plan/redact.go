package plan

import (
	"encoding/json"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// SensitiveValue stands in for a sensitive variable's value, and for the
// values of sensitive columns, in every output.
const SensitiveValue = "(sensitive)"

// uriMask replaces the password and credential-bearing options of a URI.
const uriMask = "***"

// uriSchemes start the connection strings RedactURIs looks for in text.
var uriSchemes = []string{"mongodb://", "mongodb+srv://"}

// RedactURI returns uri with its password and credential-bearing options
// replaced by ***, for messages and reports:
// mongodb://writer:***@host/db?authSource=admin. It does not need a valid
// URI: anything between the scheme and the last '@' before the path is
// treated as user information.
func RedactURI(uri string) string {
	p := splitURI(uri)
	var b strings.Builder
	b.WriteString(p.scheme)
	if p.hasUser {
		b.WriteString(p.user)
		if p.hasPassword {
			b.WriteString(":" + uriMask)
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
			if hasValue && credentialOption(key) {
				kv = key + "=" + uriMask
			}
			b.WriteString(kv)
		}
	}
	return b.String()
}

// RedactURIs returns text with every MongoDB connection string in it
// redacted as RedactURI does, whatever the text is: a variable's value, a
// source line, an error, a rendered report. A connection string ends at
// white space, a quote or an angle bracket, none of which a URI holds
// unescaped.
func RedactURIs(text string) string {
	var b strings.Builder
	rest := text
	for {
		start := firstURI(rest)
		if start < 0 {
			break
		}
		end := start + strings.IndexFunc(rest[start:]+" ", endsURI)
		b.WriteString(rest[:start])
		b.WriteString(RedactURI(rest[start:end]))
		rest = rest[end:]
	}
	if b.Len() == 0 {
		return text
	}
	b.WriteString(rest)
	return b.String()
}

// firstURI returns where the first connection string in text starts, or -1.
func firstURI(text string) int {
	first := -1
	for _, scheme := range uriSchemes {
		if i := strings.Index(text, scheme); i >= 0 && (first < 0 || i < first) {
			first = i
		}
	}
	return first
}

func endsURI(r rune) bool {
	return strings.ContainsRune(" \t\r\n\"'`<>", r)
}

// URISecrets lists the strings of uri that must never appear in a message:
// the password and credential-bearing option values, as written, unescaped
// and escaped.
func URISecrets(uri string) []string {
	p := splitURI(uri)
	var raw []string
	if p.hasPassword && p.password != "" {
		raw = append(raw, p.password)
	}
	if p.hasQuery {
		for _, kv := range strings.Split(p.query, "&") {
			key, value, ok := strings.Cut(kv, "=")
			if ok && value != "" && credentialOption(key) {
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

// uriParts is a connection string cut where RedactURI needs it.
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

// credentialOption reports whether a URI option carries a credential: AWS
// session tokens and the passwords of client keys.
func credentialOption(key string) bool {
	k := strings.ToLower(key)
	if unescaped, err := url.QueryUnescape(k); err == nil {
		k = unescaped
	}
	switch k {
	case "authmechanismproperties", "tlscertificatekeyfilepassword", "sslclientcertificatekeypassword":
		return true
	}
	return false
}

// Redactor hides secrets in text meant for people or files: the values of
// sensitive variables become (sensitive), and every MongoDB connection
// string loses its password. The zero value redacts URIs only.
type Redactor struct {
	// forms are the secrets as text may hold them, longest first so that
	// a secret holding another is replaced whole.
	forms []string
}

// NewRedactor returns a Redactor of the given secrets. Each is also found
// as strconv.Quote and JSON escape it, since messages quote values and
// reports are JSON.
func NewRedactor(secrets []string) Redactor {
	seen := map[string]bool{}
	var forms []string
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			forms = append(forms, s)
		}
	}
	for _, s := range secrets {
		add(s)
		quoted := strconv.Quote(s)
		add(quoted[1 : len(quoted)-1])
		if js, err := json.Marshal(s); err == nil {
			add(string(js[1 : len(js)-1]))
		}
	}
	sort.SliceStable(forms, func(i, j int) bool { return len(forms[i]) > len(forms[j]) })
	return Redactor{forms: forms}
}

// Redactor returns the redactor of the plan's secrets.
func (p *Plan) Redactor() Redactor { return NewRedactor(p.Secrets) }

// String returns s with every secret replaced and every URI redacted.
func (r Redactor) String(s string) string {
	for _, f := range r.forms {
		s = strings.ReplaceAll(s, f, SensitiveValue)
	}
	return RedactURIs(s)
}

// Bytes is String for rendered output.
func (r Redactor) Bytes(b []byte) []byte {
	return []byte(r.String(string(b)))
}
