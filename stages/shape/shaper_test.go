package shape

import (
	"bytes"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"go.mongodb.org/mongo-driver/v2/bson"

	"runner/stages"
	"runner/stages/plan"
	"runner/stages/rowhash"
	"runner/stages/stagetest"
)

// Template builders, so tests read like the document blocks they mirror.
func colField(name, column string) *plan.DocField {
	return &plan.DocField{Name: name, Expr: &plan.Expr{Kind: plan.ExprColumn, Column: column}}
}

func litField(name string, t plan.Type, v plan.Value) *plan.DocField {
	return &plan.DocField{Name: name, Expr: &plan.Expr{Kind: plan.ExprLiteral, Type: t, Value: v}}
}

func objField(name string, fields ...*plan.DocField) *plan.DocField {
	return &plan.DocField{Name: name, Fields: fields}
}

func field(name string, t arrow.DataType) arrow.Field {
	return arrow.Field{Name: name, Type: t, Nullable: true}
}

// withOrigin appends the origin column to fields.
func withOrigin(fields ...arrow.Field) []arrow.Field {
	return append(fields, stages.OriginField)
}

// encode compiles cfg for the batch's schema, encodes the batch and returns
// the documents.
func encode(t *testing.T, cfg Config, batch arrow.RecordBatch, computed ...arrow.Array) *stages.DocBatch {
	t.Helper()
	s, err := New(cfg, batch.Schema())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	var docs stages.DocBatch
	if err := s.Encode(batch, computed, nil, &docs); err != nil {
		t.Fatalf("Encode: %v", err)
	}
	if docs.Len() != int(batch.NumRows()) {
		t.Fatalf("%d documents for %d rows", docs.Len(), batch.NumRows())
	}
	return &docs
}

// decode returns document i as a bson.D, after checking it is valid BSON.
// bson.D keeps field order and decodes every BSON type into its own Go type
// (int32, int64, float64, bson.Decimal128, bson.DateTime, ...), so comparing
// it checks names, order, types and values at once.
func decode(t *testing.T, docs *stages.DocBatch, i int) bson.D {
	t.Helper()
	raw := bson.Raw(docs.Doc(i))
	if err := raw.Validate(); err != nil {
		t.Fatalf("document %d is not valid BSON: %v", i, err)
	}
	var d bson.D
	if err := bson.Unmarshal(raw, &d); err != nil {
		t.Fatalf("decoding document %d: %v", i, err)
	}
	return d
}

// docDiff compares decoded documents; Decimal128 values compare by their bits.
func docDiff(want, got bson.D) string {
	return cmp.Diff(want, got, cmpopts.EquateComparable(bson.Decimal128{}))
}

func mustDecimal(t *testing.T, s string) bson.Decimal128 {
	t.Helper()
	d, err := bson.ParseDecimal128(s)
	if err != nil {
		t.Fatalf("ParseDecimal128(%q): %v", s, err)
	}
	return d
}

// TestEncodeTypes checks the BSON type and value every Arrow type becomes,
// and what a null becomes with omit_nulls off and on.
func TestEncodeTypes(t *testing.T) {
	day := bson.DateTime(19753 * 86_400_000) // 2024-01-31
	tests := []struct {
		name  string
		typ   arrow.DataType
		value string // the JSON of a value of typ, as array.RecordFromJSON reads it
		want  any
	}{
		{name: "utf8", typ: arrow.BinaryTypes.String, value: `"Bobby Jackson"`, want: "Bobby Jackson"},
		{name: "utf8 empty", typ: arrow.BinaryTypes.String, value: `""`, want: ""},
		{name: "utf8 multibyte", typ: arrow.BinaryTypes.String, value: `"Zoë Ñúñez"`, want: "Zoë Ñúñez"},
		{name: "int32", typ: arrow.PrimitiveTypes.Int32, value: `-2147483648`, want: int32(-2147483648)},
		{name: "int64", typ: arrow.PrimitiveTypes.Int64, value: `9007199254740993`, want: int64(9007199254740993)},
		{name: "float64", typ: arrow.PrimitiveTypes.Float64, value: `18856.281305978155`, want: 18856.281305978155},
		{name: "decimal128", typ: &arrow.Decimal128Type{Precision: 38, Scale: 2}, value: `"18856.28"`, want: mustDecimal(t, "18856.28")},
		{name: "decimal128 negative", typ: &arrow.Decimal128Type{Precision: 38, Scale: 4}, value: `"-0.0150"`, want: mustDecimal(t, "-0.0150")},
		{name: "decimal128 scale 0", typ: &arrow.Decimal128Type{Precision: 38, Scale: 0}, value: `"12345678901234567890"`, want: mustDecimal(t, "12345678901234567890")},
		{name: "bool true", typ: arrow.FixedWidthTypes.Boolean, value: `true`, want: true},
		{name: "bool false", typ: arrow.FixedWidthTypes.Boolean, value: `false`, want: false},
		{name: "date32", typ: arrow.FixedWidthTypes.Date32, value: `19753`, want: day},
		{name: "date32 before 1970", typ: arrow.FixedWidthTypes.Date32, value: `-1`, want: bson.DateTime(-86_400_000)},
		{name: "timestamp ms", typ: stages.TimestampType, value: `"2024-01-31T12:34:56.789Z"`, want: day + (12*3600+34*60+56)*1000 + 789},
	}
	for _, tc := range tests {
		for _, omit := range []bool{false, true} {
			name := tc.name
			if omit {
				name += " omit nulls"
			}
			t.Run(name, func(t *testing.T) {
				mem := stagetest.Allocator(t)
				batch := stagetest.Batch(t, mem,
					withOrigin(field("id", arrow.PrimitiveTypes.Int64), field("v", tc.typ)),
					`[{"id": 1, "v": `+tc.value+`, "_origin": 2}, {"id": 2, "v": null, "_origin": 3}]`)
				defer batch.Release()
				cfg := Config{Document: plan.Document{OmitNulls: omit, Fields: []*plan.DocField{
					colField("_id", "id"), colField("v", "v"),
				}}}
				docs := encode(t, cfg, batch)
				if diff := docDiff(bson.D{{Key: "_id", Value: int64(1)}, {Key: "v", Value: tc.want}}, decode(t, docs, 0)); diff != "" {
					t.Errorf("row with a value (-want +got):\n%s", diff)
				}
				wantNull := bson.D{{Key: "_id", Value: int64(2)}, {Key: "v", Value: nil}}
				if omit {
					wantNull = bson.D{{Key: "_id", Value: int64(2)}}
				}
				if diff := docDiff(wantNull, decode(t, docs, 1)); diff != "" {
					t.Errorf("row with a null (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// nestedFields is a two-level template with a literal and an object whose
// fields can all be null.
func nestedFields() []*plan.DocField {
	return []*plan.DocField{
		objField("patient",
			colField("name", "name"),
			objField("contact", colField("email", "email"), colField("phone", "phone")),
		),
		litField("source", plan.TypeString, plan.StringValue("csv")),
		colField("_id", "id"),
	}
}

func TestEncodeNestedObjectsAndNulls(t *testing.T) {
	fields := withOrigin(
		field("id", arrow.PrimitiveTypes.Int32),
		field("name", arrow.BinaryTypes.String),
		field("email", arrow.BinaryTypes.String),
		field("phone", arrow.BinaryTypes.String),
	)
	rows := `[
		{"id": 1, "name": "Ann", "email": "ann@example.com", "phone": "555", "_origin": 2},
		{"id": 2, "name": "Bo", "email": null, "phone": "556", "_origin": 3},
		{"id": 3, "name": "Cy", "email": null, "phone": null, "_origin": 4},
		{"id": 4, "name": null, "email": null, "phone": null, "_origin": 5}
	]`
	tests := []struct {
		name      string
		omitNulls bool
		want      []bson.D
	}{
		{
			name: "nulls stored",
			want: []bson.D{
				{{Key: "_id", Value: int32(1)}, {Key: "patient", Value: bson.D{{Key: "name", Value: "Ann"}, {Key: "contact", Value: bson.D{{Key: "email", Value: "ann@example.com"}, {Key: "phone", Value: "555"}}}}}, {Key: "source", Value: "csv"}},
				{{Key: "_id", Value: int32(2)}, {Key: "patient", Value: bson.D{{Key: "name", Value: "Bo"}, {Key: "contact", Value: bson.D{{Key: "email", Value: nil}, {Key: "phone", Value: "556"}}}}}, {Key: "source", Value: "csv"}},
				{{Key: "_id", Value: int32(3)}, {Key: "patient", Value: bson.D{{Key: "name", Value: "Cy"}, {Key: "contact", Value: bson.D{{Key: "email", Value: nil}, {Key: "phone", Value: nil}}}}}, {Key: "source", Value: "csv"}},
				{{Key: "_id", Value: int32(4)}, {Key: "patient", Value: bson.D{{Key: "name", Value: nil}, {Key: "contact", Value: bson.D{{Key: "email", Value: nil}, {Key: "phone", Value: nil}}}}}, {Key: "source", Value: "csv"}},
			},
		},
		{
			name:      "nulls omitted",
			omitNulls: true,
			want: []bson.D{
				{{Key: "_id", Value: int32(1)}, {Key: "patient", Value: bson.D{{Key: "name", Value: "Ann"}, {Key: "contact", Value: bson.D{{Key: "email", Value: "ann@example.com"}, {Key: "phone", Value: "555"}}}}}, {Key: "source", Value: "csv"}},
				{{Key: "_id", Value: int32(2)}, {Key: "patient", Value: bson.D{{Key: "name", Value: "Bo"}, {Key: "contact", Value: bson.D{{Key: "phone", Value: "556"}}}}}, {Key: "source", Value: "csv"}},
				{{Key: "_id", Value: int32(3)}, {Key: "patient", Value: bson.D{{Key: "name", Value: "Cy"}}}, {Key: "source", Value: "csv"}},
				{{Key: "_id", Value: int32(4)}, {Key: "source", Value: "csv"}},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := stagetest.Allocator(t)
			batch := stagetest.Batch(t, mem, fields, rows)
			defer batch.Release()
			docs := encode(t, Config{Document: plan.Document{OmitNulls: tc.omitNulls, Fields: nestedFields()}}, batch)
			for i, want := range tc.want {
				if diff := docDiff(want, decode(t, docs, i)); diff != "" {
					t.Errorf("document %d (-want +got):\n%s", i, diff)
				}
			}
		})
	}
}

func TestEncodeLiterals(t *testing.T) {
	tests := []struct {
		name  string
		typ   plan.Type
		value plan.Value
		want  any
	}{
		{name: "string", typ: plan.TypeString, value: plan.StringValue("csv"), want: "csv"},
		{name: "int32", typ: plan.TypeInt32, value: plan.IntValue(7), want: int32(7)},
		{name: "int64", typ: plan.TypeInt64, value: plan.IntValue(1 << 40), want: int64(1 << 40)},
		{name: "float64", typ: plan.TypeFloat64, value: plan.FloatValue(0.5), want: 0.5},
		{name: "float64 from an integer", typ: plan.TypeFloat64, value: plan.IntValue(3), want: 3.0},
		{name: "decimal128", typ: plan.TypeDecimal128, value: plan.Value{Type: plan.TypeDecimal128, Str: "12.50"}, want: mustDecimal(t, "12.50")},
		{name: "decimal128 from an integer", typ: plan.TypeDecimal128, value: plan.IntValue(12), want: mustDecimal(t, "12")},
		{name: "bool", typ: plan.TypeBool, value: plan.BoolValue(true), want: true},
		{name: "date", typ: plan.TypeDate, value: plan.DateValue(19753), want: bson.DateTime(19753 * 86_400_000)},
		{name: "timestamp", typ: plan.TypeTimestamp, value: plan.TimestampValue(1706704496789), want: bson.DateTime(1706704496789)},
		{name: "untyped node", typ: plan.TypeInvalid, value: plan.StringValue("x"), want: "x"},
		{name: "null", typ: plan.TypeNull, value: plan.Null, want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := stagetest.Allocator(t)
			batch := stagetest.Batch(t, mem, withOrigin(field("id", arrow.PrimitiveTypes.Int64)), `[{"id": 1, "_origin": 2}]`)
			defer batch.Release()
			cfg := Config{Document: plan.Document{Fields: []*plan.DocField{colField("_id", "id"), litField("v", tc.typ, tc.value)}}}
			if diff := docDiff(bson.D{{Key: "_id", Value: int64(1)}, {Key: "v", Value: tc.want}}, decode(t, encode(t, cfg, batch), 0)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestEncodeDerivedID checks that without an _id field every document
// starts with the row hash of the id keys, and that rows equal in the keys
// get equal ids.
func TestEncodeDerivedID(t *testing.T) {
	mem := stagetest.Allocator(t)
	batch := stagetest.Batch(t, mem,
		withOrigin(field("name", arrow.BinaryTypes.String), field("age", arrow.PrimitiveTypes.Int32), field("note", arrow.BinaryTypes.String)),
		`[{"name": "Ann", "age": 30, "note": "a", "_origin": 2},
		  {"name": "Ann", "age": 31, "note": "b", "_origin": 3},
		  {"name": "Ann", "age": 30, "note": "c", "_origin": 4},
		  {"name": null, "age": null, "note": null, "_origin": 5}]`)
	defer batch.Release()
	keys := []string{"name", "age"}
	cfg := Config{IDKeys: keys, Document: plan.Document{Fields: []*plan.DocField{colField("note", "note")}}}
	docs := encode(t, cfg, batch)

	hasher, err := rowhash.New(batch.Schema(), keys)
	if err != nil {
		t.Fatal(err)
	}
	hashes := hasher.Hash(batch, nil)
	for i := range docs.Len() {
		d := decode(t, docs, i)
		if d[0].Key != "_id" {
			t.Fatalf("document %d starts with %q, want _id", i, d[0].Key)
		}
		if got, want := d[0].Value, hashes[i].Hex(); got != want {
			t.Errorf("document %d: _id = %v, want %s", i, got, want)
		}
	}
	if id0, id2 := decode(t, docs, 0)[0].Value, decode(t, docs, 2)[0].Value; id0 != id2 {
		t.Errorf("rows equal in the id keys got ids %v and %v", id0, id2)
	}

	// Hashes computed already (by dedup) give the very same documents.
	s, err := New(cfg, batch.Schema())
	if err != nil {
		t.Fatal(err)
	}
	var given stages.DocBatch
	if err := s.Encode(batch, nil, hashes, &given); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(given.Data, docs.Data) {
		t.Error("documents encoded with the given ids differ from those that hashed their own")
	}
	if err := s.Encode(batch, nil, hashes[:2], &given); err == nil || !strings.Contains(err.Error(), "2 ids for 4 rows") {
		t.Errorf("Encode with too few ids = %v", err)
	}
}

// TestEncodeExplicitIDFirst checks that an _id declared anywhere among the
// top-level fields is written first, and the rest keep template order.
func TestEncodeExplicitIDFirst(t *testing.T) {
	mem := stagetest.Allocator(t)
	batch := stagetest.Batch(t, mem,
		withOrigin(field("code", arrow.BinaryTypes.String), field("b", arrow.PrimitiveTypes.Int32), field("a", arrow.PrimitiveTypes.Int32)),
		`[{"code": "X1", "b": 2, "a": 1, "_origin": 2}]`)
	defer batch.Release()
	cfg := Config{
		IDKeys: []string{"a"}, // ignored: the template has an _id
		Document: plan.Document{Fields: []*plan.DocField{
			colField("b", "b"), colField("a", "a"), colField("_id", "code"),
		}},
	}
	want := bson.D{{Key: "_id", Value: "X1"}, {Key: "b", Value: int32(2)}, {Key: "a", Value: int32(1)}}
	if diff := docDiff(want, decode(t, encode(t, cfg, batch), 0)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestEncodeComputed checks that computed leaves are listed in template
// order and written from the arrays passed to Encode, whatever their type.
func TestEncodeComputed(t *testing.T) {
	mem := stagetest.Allocator(t)
	batch := stagetest.Batch(t, mem,
		withOrigin(field("id", arrow.PrimitiveTypes.Int64), field("first", arrow.BinaryTypes.String), field("last", arrow.BinaryTypes.String)),
		`[{"id": 1, "first": "Ann", "last": "Lee", "_origin": 2}, {"id": 2, "first": "Bo", "last": null, "_origin": 3}]`)
	defer batch.Release()
	col := func(name string) *plan.Expr {
		return &plan.Expr{Kind: plan.ExprColumn, Type: plan.TypeString, Column: name}
	}
	full := &plan.Expr{Kind: plan.ExprCall, Type: plan.TypeString, Func: "concat", Args: []*plan.Expr{col("first"), col("last")}}
	length := &plan.Expr{Kind: plan.ExprCall, Type: plan.TypeInt32, Func: "length", Args: []*plan.Expr{col("first")}}
	nothing := &plan.Expr{Kind: plan.ExprCall, Type: plan.TypeNull, Func: "coalesce", Args: []*plan.Expr{{Kind: plan.ExprLiteral, Type: plan.TypeNull}}}
	cfg := Config{Document: plan.Document{Fields: []*plan.DocField{
		colField("_id", "id"),
		objField("name", &plan.DocField{Name: "full", Expr: full}, &plan.DocField{Name: "length", Expr: length}),
		&plan.DocField{Name: "nothing", Expr: nothing},
	}}}
	s, err := New(cfg, batch.Schema())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]*plan.Expr{full, length, nothing}, s.Computed()); diff != "" {
		t.Fatalf("Computed (-want +got):\n%s", diff)
	}

	fullArr := stringArray(mem, []string{"Ann Lee", ""}, []bool{true, false})
	defer fullArr.Release()
	lengthArr := int32Array(mem, []int32{3, 2})
	defer lengthArr.Release()
	nothingArr := array.NewNull(2)
	defer nothingArr.Release()
	var docs stages.DocBatch
	if err := s.Encode(batch, []arrow.Array{fullArr, lengthArr, nothingArr}, nil, &docs); err != nil {
		t.Fatal(err)
	}
	want := []bson.D{
		{{Key: "_id", Value: int64(1)}, {Key: "name", Value: bson.D{{Key: "full", Value: "Ann Lee"}, {Key: "length", Value: int32(3)}}}, {Key: "nothing", Value: nil}},
		{{Key: "_id", Value: int64(2)}, {Key: "name", Value: bson.D{{Key: "full", Value: nil}, {Key: "length", Value: int32(2)}}}, {Key: "nothing", Value: nil}},
	}
	for i := range want {
		if diff := docDiff(want[i], decode(t, &docs, i)); diff != "" {
			t.Errorf("document %d (-want +got):\n%s", i, diff)
		}
	}

	// The next batch may bring a computed array of another type: the
	// writer follows the array.
	lengthWide := int64Array(mem, []int64{3, 2})
	defer lengthWide.Release()
	docs.Reset()
	if err := s.Encode(batch, []arrow.Array{fullArr, lengthWide, nothingArr}, nil, &docs); err != nil {
		t.Fatal(err)
	}
	if got := decode(t, &docs, 0)[1].Value.(bson.D)[1].Value; got != int64(3) {
		t.Errorf("name.length = %#v after an int64 array, want int64(3)", got)
	}
}

func stringArray(mem memory.Allocator, values []string, valid []bool) arrow.Array {
	b := array.NewStringBuilder(mem)
	defer b.Release()
	b.AppendValues(values, valid)
	return b.NewArray()
}

func int32Array(mem memory.Allocator, values []int32) arrow.Array {
	b := array.NewInt32Builder(mem)
	defer b.Release()
	b.AppendValues(values, nil)
	return b.NewArray()
}

func int64Array(mem memory.Allocator, values []int64) arrow.Array {
	b := array.NewInt64Builder(mem)
	defer b.Release()
	b.AppendValues(values, nil)
	return b.NewArray()
}

// TestEncodeOrigins checks that every document records its row's origin,
// that documents are laid end to end, and that Encode appends to what dst
// already holds.
func TestEncodeOrigins(t *testing.T) {
	mem := stagetest.Allocator(t)
	batch := stagetest.Batch(t, mem, withOrigin(field("id", arrow.PrimitiveTypes.Int64)),
		`[{"id": 1, "_origin": 2}, {"id": 2, "_origin": 7}, {"id": 3, "_origin": 1099511627785}]`)
	defer batch.Release()
	s, err := New(Config{Document: plan.Document{Fields: []*plan.DocField{colField("_id", "id")}}}, batch.Schema())
	if err != nil {
		t.Fatal(err)
	}
	var docs stages.DocBatch
	for range 2 {
		if err := s.Encode(batch, nil, nil, &docs); err != nil {
			t.Fatal(err)
		}
	}
	want := []stages.Origin{stages.MakeOrigin(0, 2), stages.MakeOrigin(0, 7), stages.MakeOrigin(1, 9)}
	want = append(want, want...)
	if diff := cmp.Diff(want, docs.Origins); diff != "" {
		t.Errorf("origins (-want +got):\n%s", diff)
	}
	for i := range docs.Len() {
		if got := decode(t, &docs, i)[0].Value; got != int64(i%3+1) {
			t.Errorf("document %d: _id = %v, want %d", i, got, i%3+1)
		}
	}
}

func TestEncodeErrors(t *testing.T) {
	decimal := &arrow.Decimal128Type{Precision: 38, Scale: 0}
	tests := []struct {
		name   string
		fields []arrow.Field
		rows   string
		doc    []*plan.DocField
		want   string
	}{
		{
			name:   "decimal beyond 34 digits",
			fields: withOrigin(field("id", arrow.PrimitiveTypes.Int64), field("d", decimal)),
			rows:   `[{"id": 1, "d": "1", "_origin": 2}, {"id": 2, "d": "12345678901234567890123456789012345", "_origin": 3}]`,
			doc:    []*plan.DocField{colField("_id", "id"), objField("billing", colField("amount", "d"))},
			want:   "shape: line 3: field billing.amount: 12345678901234567890123456789012345 has more than 34 significant digits",
		},
		{
			name:   "null _id",
			fields: withOrigin(field("id", arrow.PrimitiveTypes.Int64)),
			rows:   `[{"id": 1, "_origin": 2}, {"id": null, "_origin": 9}]`,
			doc:    []*plan.DocField{colField("_id", "id")},
			want:   "shape: line 9: field _id is null",
		},
		{
			name:   "computed arrays missing",
			fields: withOrigin(field("id", arrow.PrimitiveTypes.Int64)),
			rows:   `[{"id": 1, "_origin": 2}]`,
			doc:    []*plan.DocField{colField("_id", "id"), {Name: "x", Expr: &plan.Expr{Kind: plan.ExprCall, Func: "upper"}}},
			want:   "shape: 0 computed arrays for 1 computed fields",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := stagetest.Allocator(t)
			batch := stagetest.Batch(t, mem, tc.fields, tc.rows)
			defer batch.Release()
			s, err := New(Config{Document: plan.Document{Fields: tc.doc}}, batch.Schema())
			if err != nil {
				t.Fatal(err)
			}
			var docs stages.DocBatch
			err = s.Encode(batch, nil, nil, &docs)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Encode error = %v, want one containing %q", err, tc.want)
			}
			// The rows before the failing one stay encoded and whole.
			for i := range docs.Len() {
				decode(t, &docs, i)
			}
			end := 0
			if docs.Len() > 0 {
				end = docs.Ends[docs.Len()-1]
			}
			if len(docs.Data) != end {
				t.Errorf("dst holds %d bytes beyond its %d documents", len(docs.Data), docs.Len())
			}
		})
	}
}

// TestEncodeDocumentTooLarge checks MongoDB's 16 MiB limit: a document just
// under it is kept, one over it fails naming its line.
func TestEncodeDocumentTooLarge(t *testing.T) {
	mem := stagetest.Allocator(t)
	// The document {_id: int64, s: string} takes 4 + (1+4+8) + (1+2+4+len+1) + 1 bytes.
	const overhead = 4 + 1 + 4 + 8 + 1 + 2 + 4 + 1 + 1
	b := array.NewRecordBuilder(mem, arrow.NewSchema(withOrigin(field("id", arrow.PrimitiveTypes.Int64), field("s", arrow.BinaryTypes.String)), nil))
	defer b.Release()
	b.Field(0).(*array.Int64Builder).AppendValues([]int64{1, 2}, nil)
	b.Field(1).(*array.StringBuilder).AppendValues([]string{
		strings.Repeat("x", MaxDocumentSize-overhead),
		strings.Repeat("x", MaxDocumentSize-overhead+1),
	}, nil)
	b.Field(2).(*array.Int64Builder).AppendValues([]int64{2, 3}, nil)
	batch := b.NewRecordBatch()
	defer batch.Release()

	s, err := New(Config{Document: plan.Document{Fields: []*plan.DocField{colField("_id", "id"), colField("s", "s")}}}, batch.Schema())
	if err != nil {
		t.Fatal(err)
	}
	var docs stages.DocBatch
	err = s.Encode(batch, nil, nil, &docs)
	const want = "shape: line 3: the document is 16777217 bytes, over MongoDB's limit of 16777216"
	if err == nil || err.Error() != want {
		t.Fatalf("Encode error = %v, want %q", err, want)
	}
	if docs.Len() != 1 || len(docs.Doc(0)) != MaxDocumentSize {
		t.Fatalf("kept %d documents (first %d bytes), want the one of exactly %d bytes", docs.Len(), len(docs.Doc(0)), MaxDocumentSize)
	}
}

func TestNewErrors(t *testing.T) {
	fields := withOrigin(
		field("id", arrow.PrimitiveTypes.Int64),
		field("blob", arrow.BinaryTypes.Binary),
		field("at", &arrow.TimestampType{Unit: arrow.Microsecond}),
	)
	tests := []struct {
		name   string
		fields []arrow.Field
		cfg    Config
		want   string
	}{
		{
			name:   "unknown column",
			fields: fields,
			cfg:    Config{Document: plan.Document{Fields: []*plan.DocField{colField("_id", "id"), objField("p", colField("n", "nmae"))}}},
			want:   `shape: field p.n: the schema has 0 columns named "nmae", want 1`,
		},
		{
			name:   "type without a BSON mapping",
			fields: fields,
			cfg:    Config{Document: plan.Document{Fields: []*plan.DocField{colField("_id", "id"), colField("b", "blob")}}},
			want:   `shape: field b: column "blob": arrow type binary has no BSON mapping`,
		},
		{
			name:   "timestamp not in milliseconds",
			fields: fields,
			cfg:    Config{Document: plan.Document{Fields: []*plan.DocField{colField("_id", "id"), colField("at", "at")}}},
			want:   `shape: field at: column "at": timestamp[us] has unit us; only timestamp[ms] maps onto a BSON datetime`,
		},
		{
			name:   "no _id and no id keys",
			fields: fields,
			cfg:    Config{Document: plan.Document{Fields: []*plan.DocField{colField("x", "id")}}},
			want:   "shape: the document has no _id field and no id keys to derive one from",
		},
		{
			name:   "id key not a column",
			fields: fields,
			cfg:    Config{IDKeys: []string{"nope"}, Document: plan.Document{Fields: []*plan.DocField{colField("x", "id")}}},
			want:   `shape: deriving _id: rowhash: schema has 0 columns named "nope", want 1`,
		},
		{
			name:   "duplicate field",
			fields: fields,
			cfg:    Config{Document: plan.Document{Fields: []*plan.DocField{colField("_id", "id"), objField("p", colField("n", "id"), colField("n", "id"))}}},
			want:   `shape: field "p.n" appears twice`,
		},
		{
			name:   "NUL in a name",
			fields: fields,
			cfg:    Config{Document: plan.Document{Fields: []*plan.DocField{colField("_id", "id"), colField("a\x00b", "id")}}},
			want:   `shape: field "a\x00b": a BSON field name cannot contain a NUL byte`,
		},
		{
			name:   "null literal _id",
			fields: fields,
			cfg:    Config{Document: plan.Document{Fields: []*plan.DocField{litField("_id", plan.TypeNull, plan.Null)}}},
			want:   "shape: field _id: a document's _id cannot be null",
		},
		{
			name:   "int32 literal out of range",
			fields: fields,
			cfg:    Config{Document: plan.Document{Fields: []*plan.DocField{colField("_id", "id"), litField("n", plan.TypeInt32, plan.IntValue(1<<40))}}},
			want:   "shape: field n: literal 1099511627776 does not fit an int32",
		},
		{
			name:   "no origin column",
			fields: []arrow.Field{field("id", arrow.PrimitiveTypes.Int64)},
			cfg:    Config{Document: plan.Document{Fields: []*plan.DocField{colField("_id", "id")}}},
			want:   "shape: the schema needs exactly one int64 _origin column",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg, arrow.NewSchema(tc.fields, nil))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("New error = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestEncodeRejectsOtherSchema checks that a batch of another schema is an
// error, not a panic in a writer.
func TestEncodeRejectsOtherSchema(t *testing.T) {
	mem := stagetest.Allocator(t)
	batch := stagetest.Batch(t, mem, withOrigin(field("id", arrow.PrimitiveTypes.Int64)), `[{"id": 1, "_origin": 2}]`)
	defer batch.Release()
	other := arrow.NewSchema(withOrigin(field("id", arrow.PrimitiveTypes.Int32)), nil)
	s, err := New(Config{Document: plan.Document{Fields: []*plan.DocField{colField("_id", "id")}}}, other)
	if err != nil {
		t.Fatal(err)
	}
	var docs stages.DocBatch
	if err := s.Encode(batch, nil, nil, &docs); err == nil {
		t.Fatal("Encode accepted a batch of another schema")
	}
}
