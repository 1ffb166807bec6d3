package schemas

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// decimalPipeline has a decimal128 column; the target's uri line and the
// document's amount field are filled in by each case.
const decimalPipeline = `
pipeline "orders" {
}

variable "server" {
  type    = string
  default = ""
}

source "csv" {
  path = "orders.csv"
}

column "order_id" {
  from = "Order"
  type = int64
}

column "amount" {
  from = "Amount"
  type = decimal128
}

document {
  _id    = col.order_id
  %s
}

target "mongodb" {
  %s
  database   = "shop"
  collection = "orders"
}
`

func TestDecimalIsRefusedOnlyForTheEmbeddedStore(t *testing.T) {
	const refused = "Type the embedded store cannot store"
	tests := []struct {
		name  string
		field string
		uri   string
		env   map[string]string
		want  []string
		// wantWhy is how the refusal says the target is the embedded store.
		wantWhy string
	}{
		{name: "no uri, no MONGO_URI", field: "amount = col.amount", want: []string{refused}, wantWhy: "the target sets no uri and MONGO_URI is not set"},
		{name: "empty uri", field: "amount = col.amount", uri: `uri = ""`, want: []string{refused}, wantWhy: "the target's uri is empty"},
		{name: "empty uri from a variable", field: "amount = col.amount", uri: "uri = var.server", want: []string{refused}, wantWhy: "the target's uri is empty"},
		{name: "MONGO_URI names a server", field: "amount = col.amount", env: map[string]string{"MONGO_URI": "mongodb://db:27017"}, want: []string{}},
		{name: "uri names a server", field: "amount = col.amount", uri: `uri = "mongodb://db:27017"`, want: []string{}},
		{name: "decimal128 column outside the document", field: "amount = col.amount * 1", want: []string{}},
		{name: "uri that does not evaluate", field: "amount = col.amount", uri: "uri = var.missing", want: []string{"Unknown variable"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := fmt.Sprintf(decimalPipeline, tt.field, tt.uri)
			_, ds, l := loadString(t, "orders.hcl", src, testOptions(tt.env, nil))
			if got := summaries(ds); !slices.Equal(got, tt.want) {
				t.Fatalf("diagnostics %q, want %q\n%s", got, tt.want, renderText(t, ds, l.Sources()))
			}
			if tt.wantWhy == "" {
				return
			}
			// Line 21 is the amount column's type = decimal128.
			if got := ds[0].Subject.Start; got.Line != 21 || got.Column != 10 {
				t.Errorf("reported at %d:%d, want 21:10 (the column's type)", got.Line, got.Column)
			}
			if !strings.Contains(ds[0].Detail, tt.wantWhy) {
				t.Errorf("detail %q does not say %q", ds[0].Detail, tt.wantWhy)
			}
		})
	}
}
