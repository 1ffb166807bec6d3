package rowhash

import (
	"encoding/binary"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/zeebo/xxh3"
)

func batchFromJSON(t *testing.T, mem memory.Allocator, fields []arrow.Field, rows string) arrow.RecordBatch {
	t.Helper()
	schema := arrow.NewSchema(fields, nil)
	rec, _, err := array.RecordFromJSON(mem, schema, strings.NewReader(rows))
	if err != nil {
		t.Fatalf("batch from JSON: %v", err)
	}
	return rec
}

func hashes(t *testing.T, fields []arrow.Field, rows string, cols ...string) []Hash {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := batchFromJSON(t, mem, fields, rows)
	defer rec.Release()
	h, err := New(rec.Schema(), cols)
	if err != nil {
		t.Fatal(err)
	}
	return h.Hash(rec, nil)
}

func TestHashDistinguishesAndEquates(t *testing.T) {
	two := []arrow.Field{
		{Name: "a", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "b", Type: arrow.BinaryTypes.String, Nullable: true},
	}
	nums := []arrow.Field{
		{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "i", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	}
	tests := []struct {
		name   string
		fields []arrow.Field
		rows   string
		cols   []string
		equal  bool
	}{
		{name: "same values", fields: two, rows: `[{"a":"x","b":"y"},{"a":"x","b":"y"}]`, cols: []string{"a", "b"}, equal: true},
		{name: "shifted boundary", fields: two, rows: `[{"a":"ab","b":"c"},{"a":"a","b":"bc"}]`, cols: []string{"a", "b"}},
		{name: "null is not empty", fields: two, rows: `[{"a":null,"b":"c"},{"a":"","b":"c"}]`, cols: []string{"a", "b"}},
		{name: "column order matters", fields: two, rows: `[{"a":"x","b":"y"},{"a":"y","b":"x"}]`, cols: []string{"a", "b"}},
		{name: "only key columns count", fields: two, rows: `[{"a":"x","b":"1"},{"a":"x","b":"2"}]`, cols: []string{"a"}, equal: true},
		{name: "minus zero equals zero", fields: nums, rows: `[{"f":-0.0,"i":1},{"f":0.0,"i":1}]`, cols: []string{"f", "i"}, equal: true},
		{name: "null int is not zero", fields: nums, rows: `[{"f":1,"i":null},{"f":1,"i":0}]`, cols: []string{"f", "i"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := hashes(t, tc.fields, tc.rows, tc.cols...)
			if (got[0] == got[1]) != tc.equal {
				t.Fatalf("hash equal = %v, want %v (%v vs %v)", got[0] == got[1], tc.equal, got[0], got[1])
			}
		})
	}
}

// TestHashIsStable pins the hash of one row: the derived _id of every
// document loaded in append mode depends on it never changing.
func TestHashIsStable(t *testing.T) {
	fields := []arrow.Field{
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "age", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "amount", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "on", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "ok", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	}
	got := hashes(t, fields, `[{"name":"Bobby Jackson","age":30,"amount":18856.28,"on":19753,"ok":true}]`,
		"name", "age", "amount", "on", "ok")
	// The canonical encoding, spelled out: tag, then a length-prefixed or
	// fixed-width little-endian body.
	var enc []byte
	enc = append(enc, tagString, 13)
	enc = append(enc, "Bobby Jackson"...)
	enc = binary.LittleEndian.AppendUint64(append(enc, tagInt), 30)
	enc = binary.LittleEndian.AppendUint64(append(enc, tagFloat), math.Float64bits(18856.28))
	enc = binary.LittleEndian.AppendUint64(append(enc, tagInt), 19753)
	enc = append(enc, tagBool, 1)
	v := xxh3.Hash128(enc)
	if want := (Hash{Hi: v.Hi, Lo: v.Lo}); got[0] != want {
		t.Fatalf("hash = %s, want %s", got[0].Hex(), want.Hex())
	}
	// And the value itself, so a change to the encoding cannot go unnoticed.
	if want := "500de566553aeceeaa593851e9ef7b31"; got[0].Hex() != want {
		t.Fatalf("hash = %s, want %s", got[0].Hex(), want)
	}
	if got, want := string(got[0].AppendHex([]byte("id:"))), "id:"+got[0].Hex(); got != want {
		t.Fatalf("AppendHex = %q, want %q", got, want)
	}
}

func TestNewRejectsUnknownColumn(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.BinaryTypes.String}}, nil)
	if _, err := New(schema, []string{"b"}); err == nil {
		t.Fatal("New accepted a column the schema lacks")
	}
}
