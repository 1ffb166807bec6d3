package mongosink

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"

	"runner/stages"
	"runner/stages/plan"
)

// MaxSample is the most documents a load keeps for Verify's round trip.
const MaxSample = 1000

// verifyBatchSize is how many documents each reply of Verify's scan
// carries: large, to keep round trips few, and within 16 MB for documents
// of a few kilobytes.
const verifyBatchSize = 5000

// Seeds of the sample's random choices: the same run samples the same
// documents.
const (
	sampleSeed1 = 0x72756e6e6572 // "runner"
	sampleSeed2 = 0x73616d706c65 // "sample"
)

// reservoir keeps a uniform random sample of the documents written
// (Algorithm R), with the line each came from.
type reservoir struct {
	rng  *rand.Rand
	seen int64
	docs []sampled
}

type sampled struct {
	doc    []byte
	origin stages.Origin
}

func newReservoir(size int) *reservoir {
	return &reservoir{rng: rand.New(rand.NewPCG(sampleSeed1, sampleSeed2)), docs: make([]sampled, 0, size)}
}

// offer considers doc for the sample; a kept document is copied, as the
// batch it came from is not kept.
func (r *reservoir) offer(doc []byte, origin stages.Origin) {
	r.seen++
	if len(r.docs) < cap(r.docs) {
		r.docs = append(r.docs, sampled{doc: bytes.Clone(doc), origin: origin})
		return
	}
	if j := r.rng.Int64N(r.seen); j < int64(len(r.docs)) {
		r.docs[j] = sampled{doc: append(r.docs[j].doc[:0], doc...), origin: origin}
	}
}

// pick returns n of the kept documents, chosen at random.
func (r *reservoir) pick(n int) []sampled {
	docs := slices.Clone(r.docs)
	if n >= len(docs) {
		return docs
	}
	rng := rand.New(rand.NewPCG(sampleSeed2, sampleSeed1))
	for i := range n {
		j := i + rng.IntN(len(docs)-i)
		docs[i], docs[j] = docs[j], docs[i]
	}
	return docs[:n]
}

// Verification is what Verify found in the database.
type Verification struct {
	// Collection is the namespace that was read.
	Collection string `json:"collection"`
	// Expected is the number of documents written; Found the number of
	// this run's documents in the collection.
	Expected int64 `json:"expected"`
	Found    int64 `json:"found"`
	// DigestMatch says whether the documents found hash, as a whole, to
	// the documents written.
	DigestMatch bool `json:"digest_match"`
	// TypeMismatches are the paths where the types found differ from the
	// types written.
	TypeMismatches []TypeMismatch `json:"type_mismatches,omitempty"`
	// DuplicateIDs is the number of documents found whose _id an earlier
	// document found already had.
	DuplicateIDs int64 `json:"duplicate_ids"`
	// Sampled documents were compared field by field with what was sent.
	Sampled          int              `json:"sampled"`
	SampleMismatches []SampleMismatch `json:"sample_mismatches,omitempty"`
	// Served documents were read through the server and compared byte for
	// byte with what the store's files hold, when Verify read those (the
	// embedded store); ServedMismatches of them differed.
	Served           int `json:"served,omitempty"`
	ServedMismatches int `json:"served_mismatches,omitempty"`
	// Duration is the verification's own time, without the wait for the
	// indexes it builds meanwhile.
	Duration time.Duration `json:"duration"`
}

// SampleMismatch is a field of a sampled document that does not hold what
// was written.
type SampleMismatch struct {
	Origin stages.Origin `json:"origin"`
	ID     string        `json:"id"`
	// Path is the dotted path of the field, or "" when the whole document
	// is missing.
	Path string `json:"path"`
	// Want and Got render the values with their types, or "(missing)".
	Want string `json:"want"`
	Got  string `json:"got"`
}

// Passed reports whether the database holds exactly what was written.
func (v *Verification) Passed() bool {
	return v.Found == v.Expected && v.DigestMatch && len(v.TypeMismatches) == 0 &&
		v.DuplicateIDs == 0 && len(v.SampleMismatches) == 0 && v.ServedMismatches == 0
}

// Problems describes every failed comparison, one line each.
func (v *Verification) Problems() []string {
	var out []string
	if v.Found != v.Expected {
		out = append(out, fmt.Sprintf("%s holds %d of this run's documents, %d were written", v.Collection, v.Found, v.Expected))
	}
	if !v.DigestMatch {
		out = append(out, fmt.Sprintf("the content of the documents in %s differs from what was written", v.Collection))
	}
	for _, m := range v.TypeMismatches {
		out = append(out, fmt.Sprintf("%s: wrote %s, found %s", m.Path, m.Want, m.Got))
	}
	if v.DuplicateIDs > 0 {
		out = append(out, fmt.Sprintf("%d documents in %s repeat an _id", v.DuplicateIDs, v.Collection))
	}
	if v.ServedMismatches > 0 {
		out = append(out, fmt.Sprintf("%d of %d documents read through the server differ from what the store's files hold", v.ServedMismatches, v.Served))
	}
	for _, m := range v.SampleMismatches {
		if m.Path == "" {
			out = append(out, fmt.Sprintf("the document from %s (_id %s) is missing", m.Origin, m.ID))
			continue
		}
		out = append(out, fmt.Sprintf("the document from %s (_id %s): %s should be %s, is %s", m.Origin, m.ID, m.Path, m.Want, m.Got))
	}
	return out
}

// Verify reads back what the load wrote and compares it with what was sent:
// the number of documents, an order-independent digest of their content,
// the BSON types at every path, duplicate _id values, and a sample of
// documents field by field. It scans the collection once. In replace mode
// every document of the staging collection must be this run's; in append
// and upsert mode the documents whose _id this run sent are compared and
// the others ignored. sample is capped at MaxSample. When it reads the
// store's files (Config.Scan), it builds the indexes at the same time.
func (l *Load) Verify(ctx context.Context, sample int) (Verification, error) {
	if l.state != stateClosed {
		return Verification{}, fmt.Errorf("verifying %s: the load is %s, not closed", l.name(), l.state)
	}
	start := time.Now()
	var err error
	v := Verification{Collection: l.name(), Expected: l.sent.count}
	picked := l.sample.pick(max(sample, 0))
	v.Sampled = len(picked)
	samples := make(map[uint64]*sampleCheck, len(picked))
	for i := range picked {
		c := &sampleCheck{sampled: picked[i]}
		info, err := newDocStats().add(c.doc, nil)
		if err != nil {
			return v, fmt.Errorf("verifying %s: a sampled document: %w", l.name(), err)
		}
		c.id = info.id
		samples[info.id] = c
	}
	// MongoDB finds the sample through its _id index. FerretDB does not use
	// its _id index (it indexes one expression and queries another), so
	// there the sample is compared as the full read goes by, and, when that
	// read comes from storage, a few documents read through the server are
	// compared with what storage holds.
	var served map[uint64][]byte
	if l.t.server.ferret && l.cfg.Scan != nil {
		if served, err = l.readThroughServer(ctx, max(sample, 1)); err != nil {
			return v, l.t.scrub(err)
		}
	}
	// Reading the store's files does not wait for the server, so the
	// indexes are built meanwhile (FerretDB would make reads through the
	// server wait for the build; these are done by now).
	indexed := make(chan error, 1)
	if l.cfg.Scan != nil {
		go func() { indexed <- l.CreateIndexes(ctx) }()
	} else {
		indexed <- nil
	}
	found, err := l.scan(ctx, samples, l.t.server.ferret, served)
	waitStart := time.Now()
	if ierr := <-indexed; err == nil {
		err = ierr
	}
	waited := time.Since(waitStart)
	if err != nil {
		return v, l.t.scrub(err)
	}
	if !l.t.server.ferret {
		if err := l.fetchSample(ctx, samples); err != nil {
			return v, l.t.scrub(err)
		}
	}
	v.Served = len(served)
	v.ServedMismatches = found.servedMismatches
	v.Found = found.stats.count
	v.DigestMatch = found.stats.count == l.sent.count && found.stats.sum == l.sent.sum
	v.TypeMismatches = compareTallies(l.sent.tallies(), found.stats.tallies(), v.Found == v.Expected)
	v.DuplicateIDs = found.duplicates()
	for _, c := range picked {
		check := samples[idOf(c.doc)]
		v.SampleMismatches = append(v.SampleMismatches, check.result()...)
	}
	v.Duration = time.Since(start) - waited
	return v, nil
}

// idOf hashes the _id of a document already validated.
func idOf(doc []byte) uint64 {
	v := bsoncore.Document(doc).Lookup("_id")
	return idHash(v.Type, v.Data)
}

// scanned is what the scan found.
type scanned struct {
	stats *docStats
	ids   []uint64
	// servedMismatches counts documents read through the server that
	// differ from what the scan read under their _id.
	servedMismatches int
}

// duplicates counts the _id hashes seen more than once.
func (s *scanned) duplicates() int64 {
	slices.Sort(s.ids)
	var n int64
	for i := 1; i < len(s.ids); i++ {
		if s.ids[i] == s.ids[i-1] {
			n++
		}
	}
	return n
}

// primary reads from the primary: verification must see every write the
// load made, which a lagging secondary may not have yet.
var primary = options.Collection().SetReadPreference(readpref.Primary())

// scan reads the loaded collection once: through Config.Scan when the
// store offers it, else with a find. With compareSample, sampled documents
// are compared as they go by; each document in served (read through the
// server) is compared with what the read finds under its _id.
func (l *Load) scan(ctx context.Context, samples map[uint64]*sampleCheck, compareSample bool, served map[uint64][]byte) (*scanned, error) {
	own := l.cfg.Mode == plan.ModeReplace
	out := &scanned{stats: newDocStats()}
	visit := func(doc []byte) error {
		if !own {
			// Hash the _id first: most documents of a large collection may
			// not be this run's.
			if _, ok := slices.BinarySearch(l.sentIDs, idOf(doc)); !ok {
				return nil
			}
		}
		info, err := out.stats.add(doc, nil)
		if err != nil {
			return err
		}
		out.ids = append(out.ids, info.id)
		if c := samples[info.id]; compareSample && c != nil {
			c.compare(doc)
		}
		if s, ok := served[info.id]; ok && !bytes.Equal(s, doc) {
			out.servedMismatches++
		}
		return nil
	}
	if l.cfg.Scan != nil {
		if err := l.cfg.Scan(ctx, l.coll.Name(), visit); err != nil {
			return nil, fmt.Errorf("reading %s back: %w", l.name(), err)
		}
		return out, nil
	}
	cur, err := l.coll.Database().Collection(l.coll.Name(), primary).Find(ctx, bson.D{}, options.Find().SetBatchSize(verifyBatchSize))
	if err != nil {
		return nil, fmt.Errorf("reading %s back: %w", l.name(), err)
	}
	defer cur.Close(context.WithoutCancel(ctx))
	for cur.Next(ctx) {
		if err := visit(cur.Current); err != nil {
			return nil, fmt.Errorf("reading %s back: %w", l.name(), err)
		}
	}
	if err := cur.Err(); err != nil {
		return nil, fmt.Errorf("reading %s back: %w", l.name(), err)
	}
	return out, nil
}

// readThroughServer reads n documents of the loaded collection through the
// server, with a limit the server applies in storage, and returns them by
// _id hash.
func (l *Load) readThroughServer(ctx context.Context, n int) (map[uint64][]byte, error) {
	coll := l.coll.Database().Collection(l.coll.Name(), primary)
	cur, err := coll.Find(ctx, bson.D{}, options.Find().SetLimit(int64(n)).SetBatchSize(int32(n)))
	if err != nil {
		return nil, fmt.Errorf("reading documents of %s through the server: %w", l.name(), err)
	}
	defer cur.Close(context.WithoutCancel(ctx))
	served := make(map[uint64][]byte, n)
	for cur.Next(ctx) {
		served[idOf(cur.Current)] = bytes.Clone(cur.Current)
	}
	if err := cur.Err(); err != nil {
		return nil, fmt.Errorf("reading documents of %s through the server: %w", l.name(), err)
	}
	return served, nil
}

// fetchSample reads the sampled documents by _id in one query, through
// MongoDB's _id index.
func (l *Load) fetchSample(ctx context.Context, samples map[uint64]*sampleCheck) error {
	if len(samples) == 0 {
		return nil
	}
	ids := make(bson.A, 0, len(samples))
	for _, c := range samples {
		v := bsoncore.Document(c.doc).Lookup("_id")
		ids = append(ids, bson.RawValue{Type: bson.Type(v.Type), Value: v.Data})
	}
	coll := l.coll.Database().Collection(l.coll.Name(), primary)
	cur, err := coll.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}},
		options.Find().SetBatchSize(int32(len(ids))))
	if err != nil {
		return fmt.Errorf("reading the sample back from %s: %w", l.name(), err)
	}
	defer cur.Close(context.WithoutCancel(ctx))
	for cur.Next(ctx) {
		if c := samples[idOf(cur.Current)]; c != nil {
			c.compare(cur.Current)
		}
	}
	if err := cur.Err(); err != nil {
		return fmt.Errorf("reading the sample back from %s: %w", l.name(), err)
	}
	return nil
}

// sampleCheck is a sampled document and what its round trip found.
type sampleCheck struct {
	sampled
	id         uint64
	seen       bool
	mismatches []SampleMismatch
}

// compare records how got, the document read back, differs from the one
// sent.
func (c *sampleCheck) compare(got []byte) {
	if c.seen {
		return // a duplicate _id, counted by the scan
	}
	c.seen = true
	id := renderID(bsoncore.Document(c.doc).Lookup("_id"))
	diffDocs(c.doc, got, "", func(path, want, gotV string) {
		c.mismatches = append(c.mismatches, SampleMismatch{Origin: c.origin, ID: id, Path: path, Want: want, Got: gotV})
	})
}

func (c *sampleCheck) result() []SampleMismatch {
	if !c.seen {
		return []SampleMismatch{{Origin: c.origin, ID: renderID(bsoncore.Document(c.doc).Lookup("_id")), Want: "the document", Got: "(missing)"}}
	}
	return c.mismatches
}

const missing = "(missing)"

// diffDocs calls emit for every path where got differs from want: values
// of another type or value, fields missing on either side, and fields in
// another order.
func diffDocs(want, got []byte, prefix string, emit func(path, want, got string)) {
	wantElems, err1 := bsoncore.Document(want).Elements()
	gotElems, err2 := bsoncore.Document(got).Elements()
	if err1 != nil || err2 != nil {
		emit(displayPath(prefix), "valid BSON", "malformed BSON")
		return
	}
	join := func(key string) string {
		if prefix == "" {
			return key
		}
		return prefix + "." + key
	}
	gotByKey := make(map[string]bsoncore.Value, len(gotElems))
	for _, e := range gotElems {
		gotByKey[e.Key()] = e.Value()
	}
	wantKeys := make(map[string]bool, len(wantElems))
	sameKeys := len(wantElems) == len(gotElems)
	for _, e := range wantElems {
		key, wv := e.Key(), e.Value()
		wantKeys[key] = true
		path := join(key)
		gv, ok := gotByKey[key]
		switch {
		case !ok:
			sameKeys = false
			emit(path, renderValue(wv), missing)
		case wv.Type != gv.Type:
			emit(path, renderValue(wv), renderValue(gv))
		case wv.Type == bsoncore.TypeEmbeddedDocument || wv.Type == bsoncore.TypeArray:
			diffDocs(wv.Data, gv.Data, path, emit)
		case !sameValue(wv, gv):
			emit(path, renderValue(wv), renderValue(gv))
		}
	}
	for _, e := range gotElems {
		if !wantKeys[e.Key()] {
			emit(join(e.Key()), missing, renderValue(e.Value()))
		}
	}
	if sameKeys {
		for i := range wantElems {
			if wantElems[i].Key() != gotElems[i].Key() {
				emit(displayPath(prefix), "fields in order "+keyList(wantElems), "fields in order "+keyList(gotElems))
				return
			}
		}
	}
}

func displayPath(p string) string {
	if p == "" {
		return "(document)"
	}
	return p
}

func keyList(elems []bsoncore.Element) string {
	var b bytes.Buffer
	for i, e := range elems {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(e.Key())
	}
	return b.String()
}

// sameValue compares two values of one type as the digest does: -0.0
// equals 0.0, and NaN equals NaN.
func sameValue(a, b bsoncore.Value) bool {
	if a.Type == bsoncore.TypeDouble {
		x := math.Float64frombits(binary.LittleEndian.Uint64(a.Data))
		y := math.Float64frombits(binary.LittleEndian.Uint64(b.Data))
		return x == y || (math.IsNaN(x) && math.IsNaN(y))
	}
	return bytes.Equal(a.Data, b.Data)
}

// renderValue shows a value with its type: "Bobby", 30 (int),
// 2024-01-31T00:00:00Z (date).
func renderValue(v bsoncore.Value) string {
	switch v.Type {
	case bsoncore.TypeString:
		return strconv.Quote(v.StringValue())
	case bsoncore.TypeInt32:
		return strconv.FormatInt(int64(v.Int32()), 10) + " (int)"
	case bsoncore.TypeInt64:
		return strconv.FormatInt(v.Int64(), 10) + " (long)"
	case bsoncore.TypeDouble:
		return strconv.FormatFloat(v.Double(), 'g', -1, 64) + " (double)"
	case bsoncore.TypeDateTime:
		return time.UnixMilli(v.DateTime()).UTC().Format(time.RFC3339Nano) + " (date)"
	case bsoncore.TypeBoolean:
		return strconv.FormatBool(v.Boolean())
	case bsoncore.TypeNull:
		return "null"
	}
	return v.String() + " (" + typeName(v.Type) + ")"
}

// renderID shows an _id as a person would type it: strings unquoted.
func renderID(v bsoncore.Value) string {
	if s, ok := v.StringValueOK(); ok {
		return s
	}
	return v.String()
}
