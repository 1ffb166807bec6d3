package schemas

import (
	"fmt"
	"strings"
	"unicode"
)

// validIdentifier reports whether name can be written after col. or var.
// without quoting: a letter, then letters, digits and underscores. A leading
// underscore is reserved for the hidden columns the engine adds (_origin).
func validIdentifier(name string) bool {
	if name == "" {
		return false
	}
	for i, r := range name {
		switch {
		case r < unicode.MaxASCII && unicode.IsLetter(r):
		case i > 0 && (r == '_' || (r >= '0' && r <= '9')):
		default:
			return false
		}
	}
	return true
}

// snakeName turns a header such as "Date of Admission" or "billingAmount"
// into a column name: date_of_admission, billing_amount. It returns "" when
// nothing usable is left.
func snakeName(header string) string {
	var b strings.Builder
	prevLower := false
	for _, r := range header {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if unicode.IsUpper(r) && prevLower {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
			prevLower = unicode.IsLower(r) || unicode.IsDigit(r)
		default:
			if b.Len() > 0 && !strings.HasSuffix(b.String(), "_") {
				b.WriteByte('_')
			}
			prevLower = false
		}
	}
	name := strings.Trim(b.String(), "_")
	if name != "" && !unicode.IsLetter(rune(name[0])) {
		name = "field_" + name
	}
	return name
}

// fieldNameProblem says why a MongoDB field name is not allowed, or "".
func fieldNameProblem(name string) string {
	switch {
	case name == "":
		return "A field name cannot be empty."
	case strings.HasPrefix(name, "$"):
		return fmt.Sprintf("MongoDB reserves names starting with $ for operators, so %q cannot be a field name.", name)
	case strings.Contains(name, "."):
		return fmt.Sprintf("MongoDB reads a dot as a path into a nested document, so %q cannot be a field name; nest an object instead: %s = { %s = ... }.",
			name, name[:strings.Index(name, ".")], name[strings.Index(name, ".")+1:])
	case strings.ContainsRune(name, 0):
		return "A field name cannot contain a NUL character."
	}
	return ""
}

// databaseNameProblem says why name is not a valid MongoDB database name, or "".
func databaseNameProblem(name string) string {
	switch {
	case name == "":
		return "The database name cannot be empty."
	case strings.ContainsAny(name, "/\\. \"$*<>:|?\x00"):
		return fmt.Sprintf("MongoDB database names cannot contain / \\ . space \" $ * < > : | ? or NUL; %q does.", name)
	case len(name) >= 64:
		return fmt.Sprintf("MongoDB database names are shorter than 64 bytes; %q has %d.", name, len(name))
	}
	return ""
}

// collectionNameProblem says why name is not a valid MongoDB collection name, or "".
func collectionNameProblem(name string) string {
	switch {
	case name == "":
		return "The collection name cannot be empty."
	case strings.Contains(name, "$"):
		return fmt.Sprintf("MongoDB collection names cannot contain $; %q does.", name)
	case strings.ContainsRune(name, 0):
		return "MongoDB collection names cannot contain a NUL character."
	case strings.HasPrefix(name, "system."):
		return fmt.Sprintf("MongoDB reserves collection names starting with \"system.\"; %q is one.", name)
	}
	return ""
}
