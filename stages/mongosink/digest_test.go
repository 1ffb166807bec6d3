package mongosink

import (
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"

	"runner/stages"
)

func mustMarshal(t *testing.T, d bson.D) []byte {
	t.Helper()
	b, err := bson.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestTypeTallies(t *testing.T) {
	docs := []bson.D{
		{{Key: "_id", Value: "a"}, {Key: "patient", Value: bson.D{{Key: "age", Value: int32(30)}}}, {Key: "tags", Value: bson.A{"x", int32(1)}}},
		{{Key: "_id", Value: "b"}, {Key: "patient", Value: bson.D{{Key: "age", Value: nil}}}, {Key: "tags", Value: bson.A{}}},
		{{Key: "_id", Value: "c"}, {Key: "patient", Value: bson.D{{Key: "age", Value: int64(30)}}}},
	}
	s := newDocStats()
	for _, d := range docs {
		if _, err := s.add(mustMarshal(t, d), nil); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]string{}
	for path, m := range s.tallies() {
		got[path] = typeCounts(m).String()
	}
	want := map[string]string{
		"_id":         "string ×3",
		"patient":     "object ×3",
		"patient.age": "int ×1, long ×1, null ×1",
		"tags":        "array ×2",
		"tags[]":      "int ×1, string ×1",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tallies (-want +got):\n%s", diff)
	}
}

func TestDigest(t *testing.T) {
	base := bson.D{{Key: "_id", Value: "a"}, {Key: "x", Value: 1.5}, {Key: "y", Value: "s"}}
	tests := []struct {
		name  string
		a, b  bson.D
		equal bool
	}{
		{name: "same document", a: base, b: base, equal: true},
		{
			name: "negative zero is zero",
			a:    bson.D{{Key: "_id", Value: "z"}, {Key: "x", Value: 0.0}},
			b:    bson.D{{Key: "_id", Value: "z"}, {Key: "x", Value: math.Copysign(0, -1)}}, equal: true,
		},
		{name: "another value", a: base, b: bson.D{{Key: "_id", Value: "a"}, {Key: "x", Value: 2.5}, {Key: "y", Value: "s"}}},
		{name: "another type", a: base, b: bson.D{{Key: "_id", Value: "a"}, {Key: "x", Value: int32(1)}, {Key: "y", Value: "s"}}},
		{name: "another order", a: base, b: bson.D{{Key: "_id", Value: "a"}, {Key: "y", Value: "s"}, {Key: "x", Value: 1.5}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := newDocStats(), newDocStats()
			if _, err := a.add(mustMarshal(t, tt.a), nil); err != nil {
				t.Fatal(err)
			}
			if _, err := b.add(mustMarshal(t, tt.b), nil); err != nil {
				t.Fatal(err)
			}
			if (a.sum == b.sum) != tt.equal {
				t.Errorf("digests equal = %v, want %v", a.sum == b.sum, tt.equal)
			}
		})
	}
}

func TestDigestIgnoresOrderOfDocuments(t *testing.T) {
	batches := docBatches(0, 50, 50, 0)
	forward, backward := newDocStats(), newDocStats()
	for i := range 50 {
		if _, err := forward.add(batches[0].Doc(i), nil); err != nil {
			t.Fatal(err)
		}
		if _, err := backward.add(batches[0].Doc(49-i), nil); err != nil {
			t.Fatal(err)
		}
	}
	if forward.sum != backward.sum || forward.count != backward.count {
		t.Error("the digest depends on the order of the documents")
	}
}

func TestMalformedDocuments(t *testing.T) {
	good := mustMarshal(t, bson.D{{Key: "_id", Value: "a"}, {Key: "sub", Value: bson.D{{Key: "k", Value: "v"}}}})
	tests := []struct {
		name string
		doc  []byte
		want string
	}{
		{name: "too short", doc: good[:3], want: "malformed BSON"},
		{name: "cut", doc: good[:len(good)-4], want: "malformed BSON"},
		{name: "declared longer", doc: append(append([]byte{}, good...), 0), want: "malformed BSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newDocStats().add(tt.doc, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("add: %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestUnsupportedValuesNameTheirPath(t *testing.T) {
	tests := []struct {
		name string
		doc  bson.D
		want string
	}{
		{name: "NaN", doc: bson.D{{Key: "_id", Value: 1}, {Key: "billing", Value: bson.D{{Key: "amount", Value: math.NaN()}}}}, want: "billing.amount: NaN"},
		{name: "decimal in an array", doc: bson.D{{Key: "_id", Value: 1}, {Key: "a", Value: bson.A{bson.NewDecimal128(1, 1)}}}, want: "a[]: a decimal128"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newDocStats().add(mustMarshal(t, tt.doc), ferretUnsupported)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("add: %v, want an error starting %q", err, tt.want)
			}
		})
	}
}

func TestManyShapesAreFolded(t *testing.T) {
	s := newDocStats()
	for i := range maxShapes + 10 {
		d := bson.D{{Key: "_id", Value: i}, {Key: "f" + strings.Repeat("x", i%5000), Value: int32(i)}}
		if _, err := s.add(mustMarshal(t, d), nil); err != nil {
			t.Fatal(err)
		}
	}
	if len(s.shapes) > maxShapes {
		t.Errorf("%d shapes kept, want at most %d", len(s.shapes), maxShapes)
	}
	if n := s.tallies()["_id"][bsoncore.TypeInt32]; n != maxShapes+10 {
		t.Errorf("_id counted %d times, want %d", n, maxShapes+10)
	}
}

func TestReservoirIsDeterministicAndUniform(t *testing.T) {
	fill := func() *reservoir {
		r := newReservoir(10)
		for i := range 1000 {
			r.offer([]byte{byte(i), byte(i >> 8)}, stages.MakeOrigin(0, i))
		}
		return r
	}
	a, b := fill(), fill()
	if diff := cmp.Diff(a.pick(5), b.pick(5), cmp.AllowUnexported(sampled{})); diff != "" {
		t.Errorf("two identical runs sampled differently:\n%s", diff)
	}
	late := 0
	for _, s := range a.docs {
		if s.origin.Line() >= 10 {
			late++
		}
	}
	if late == 0 {
		t.Error("the sample only holds the first documents")
	}
}

func TestDiffDocs(t *testing.T) {
	want := bson.D{{Key: "_id", Value: "a"}, {Key: "p", Value: bson.D{{Key: "age", Value: int32(3)}, {Key: "n", Value: "x"}}}, {Key: "z", Value: math.Copysign(0, -1)}}
	tests := []struct {
		name string
		got  bson.D
		want []string
	}{
		{name: "equal, negative zero read back as zero", got: bson.D{{Key: "_id", Value: "a"}, {Key: "p", Value: bson.D{{Key: "age", Value: int32(3)}, {Key: "n", Value: "x"}}}, {Key: "z", Value: 0.0}}},
		{name: "type", got: bson.D{{Key: "_id", Value: "a"}, {Key: "p", Value: bson.D{{Key: "age", Value: int64(3)}, {Key: "n", Value: "x"}}}, {Key: "z", Value: 0.0}},
			want: []string{"p.age: 3 (int) / 3 (long)"}},
		{name: "missing and extra", got: bson.D{{Key: "_id", Value: "a"}, {Key: "p", Value: bson.D{{Key: "age", Value: int32(3)}, {Key: "m", Value: true}}}, {Key: "z", Value: 0.0}},
			want: []string{`p.n: "x" / (missing)`, "p.m: (missing) / true"}},
		{name: "order", got: bson.D{{Key: "_id", Value: "a"}, {Key: "z", Value: 0.0}, {Key: "p", Value: bson.D{{Key: "age", Value: int32(3)}, {Key: "n", Value: "x"}}}},
			want: []string{"(document): fields in order _id, p, z / fields in order _id, z, p"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			diffDocs(mustMarshal(t, want), mustMarshal(t, tt.got), "", func(path, w, g string) {
				got = append(got, path+": "+w+" / "+g)
			})
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("differences (-want +got):\n%s", diff)
			}
		})
	}
}
