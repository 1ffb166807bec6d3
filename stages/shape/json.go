package shape

import (
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"
)

// Masked stands in for the value of a masked field in rendered documents.
const Masked = "(sensitive)"

// JSON renders a BSON document as relaxed MongoDB Extended JSON, indented
// by two spaces: numbers as plain JSON numbers (decimals as
// {"$numberDecimal": "…"}), datetimes as {"$date": "2024-01-31T00:00:00Z"}.
// It is what `runner plan` shows as sample documents, so people see the
// documents as mongosh would. The values at the dotted paths in masked
// (fields filled from sensitive columns) are replaced by Masked.
func JSON(doc []byte, masked []string) (string, error) {
	if err := bsoncore.Document(doc).Validate(); err != nil {
		return "", fmt.Errorf("shape: rendering a document as JSON: %w", err)
	}
	var value any = bson.Raw(doc)
	if len(masked) > 0 {
		var d bson.D
		if err := bson.Unmarshal(doc, &d); err != nil {
			return "", fmt.Errorf("shape: rendering a document as JSON: %w", err)
		}
		for _, path := range masked {
			mask(d, strings.Split(path, "."))
		}
		value = d
	}
	out, err := bson.MarshalExtJSONIndent(value, false, false, "", "  ")
	if err != nil {
		return "", fmt.Errorf("shape: rendering a document as JSON: %w", err)
	}
	return string(out), nil
}

// mask replaces the value at path in d, if there is one.
func mask(d bson.D, path []string) {
	for i := range d {
		if d[i].Key != path[0] {
			continue
		}
		if len(path) == 1 {
			d[i].Value = Masked
			return
		}
		if sub, ok := d[i].Value.(bson.D); ok {
			mask(sub, path[1:])
		}
		return
	}
}
