package mongosink

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/zeebo/xxh3"
	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"
)

// negativeZero is the bit pattern of the double -0.0.
const negativeZero = 1 << 63

// maxShapes bounds how many distinct document shapes a docStats keeps
// before folding them into per-path tallies, so that documents of ever
// new shapes cannot grow memory without limit.
const maxShapes = 4096

// docStats is what Verify compares between the documents sent and the
// documents found: their number, the sum of their hashes (order-independent,
// so writers and the database may reorder freely), and how many values of
// each BSON type sit at each dotted path.
//
// Type tallies are kept per document shape (the sequence of keys and types,
// without values): a load usually has a handful of shapes, so a document
// costs one map lookup instead of one per field. Shapes are expanded into
// paths only when the tallies are read.
type docStats struct {
	count int64
	sum   uint64
	// shapes holds counters by pointer so that counting a known shape
	// looks the skeleton up without turning it into a string.
	shapes map[string]*int64
	paths  map[pathType]int64

	skeleton []byte
	zeros    []int
	canon    []byte
}

// pathType is a dotted path and the type of a value found there.
type pathType struct {
	path string
	typ  bsoncore.Type
}

func newDocStats() *docStats {
	return &docStats{shapes: map[string]*int64{}, paths: map[pathType]int64{}}
}

// unsupportedFunc reports why a value cannot be stored by the server, or "".
type unsupportedFunc func(t bsoncore.Type, v bsoncore.Value) string

// docInfo is what add learns about one document.
type docInfo struct {
	// id is the hash of the _id value (type and bytes), 0 when absent.
	id    uint64
	hasID bool
}

// add walks doc once: it validates the BSON, hashes its canonical form,
// counts its shape and returns the hash of its _id. unsupported, when not
// nil, is asked about every value; the first it refuses fails the document.
func (s *docStats) add(doc []byte, unsupported unsupportedFunc) (docInfo, error) {
	s.skeleton = s.skeleton[:0]
	s.zeros = s.zeros[:0]
	var info docInfo
	if err := s.walk(doc, 0, false, &info, unsupported); err != nil {
		return info, err
	}
	s.count++
	s.sum += s.hash(doc)
	// Indexing with the converted slice does not allocate; only a new
	// shape's key does.
	if c := s.shapes[string(s.skeleton)]; c != nil {
		*c++
	} else {
		s.countShape(string(s.skeleton), 1)
	}
	return info, nil
}

// hash returns the XXH3-64 of the canonical form of doc, the document
// walked last: the document as it is, with every -0.0 written as 0.0,
// because FerretDB stores negative zero as zero.
func (s *docStats) hash(doc []byte) uint64 {
	if len(s.zeros) == 0 {
		return xxh3.Hash(doc)
	}
	s.canon = append(s.canon[:0], doc...)
	for _, off := range s.zeros {
		binary.LittleEndian.PutUint64(s.canon[off:], 0)
	}
	return xxh3.Hash(s.canon)
}

// walk visits the elements of the document or array doc, which starts at
// offset base of the top-level document, appending each element's type and
// key to the skeleton.
func (s *docStats) walk(doc []byte, base int, array bool, info *docInfo, unsupported unsupportedFunc) error {
	length, rem, ok := bsoncore.ReadLength(doc)
	if !ok || length < 5 || int(length) != len(doc) || doc[length-1] != 0 {
		return fmt.Errorf("malformed BSON: a document declares %d bytes and has %d", length, len(doc))
	}
	rem = rem[:len(rem)-1]
	for len(rem) > 0 {
		start := len(doc) - 1 - len(rem)
		t := bsoncore.Type(rem[0])
		key, after, ok := bsoncore.ReadKeyBytes(rem[1:])
		if !ok {
			return fmt.Errorf("malformed BSON: unterminated key at byte %d", base+start)
		}
		v, next, ok := bsoncore.ReadValue(after, t)
		if !ok {
			return fmt.Errorf("malformed BSON: the value of %q (%s) is cut short", key, typeName(t))
		}
		valueOffset := base + len(doc) - 1 - len(after)
		s.skeleton = append(s.skeleton, byte(t))
		if !array {
			s.skeleton = append(s.skeleton, key...)
		}
		s.skeleton = append(s.skeleton, 0)
		if unsupported != nil {
			if why := unsupported(t, v); why != "" {
				return &unsupportedError{path: lastPath(s.skeleton), why: why}
			}
		}
		switch t {
		case bsoncore.TypeEmbeddedDocument, bsoncore.TypeArray:
			if err := s.walk(v.Data, valueOffset, t == bsoncore.TypeArray, nil, unsupported); err != nil {
				return err
			}
			s.skeleton = append(s.skeleton, 0)
		case bsoncore.TypeDouble:
			if binary.LittleEndian.Uint64(v.Data) == negativeZero {
				s.zeros = append(s.zeros, valueOffset)
			}
		}
		if info != nil && !info.hasID && string(key) == "_id" {
			info.id = idHash(t, v.Data)
			info.hasID = true
		}
		rem = next
	}
	return nil
}

// idHash hashes an _id value with its type, so that the string "1" and the
// int32 1 differ.
func idHash(t bsoncore.Type, data []byte) uint64 {
	var buf [64]byte
	b := append(buf[:0], byte(t))
	b = append(b, data...)
	return xxh3.Hash(b)
}

// unsupportedError says which value of a document the server cannot store.
type unsupportedError struct{ path, why string }

func (e *unsupportedError) Error() string { return fmt.Sprintf("%s: %s", e.path, e.why) }

// countShape adds n documents of the shape skel.
func (s *docStats) countShape(skel string, n int64) {
	if c := s.shapes[skel]; c != nil {
		*c += n
		return
	}
	s.shapes[skel] = &n
	if len(s.shapes) > maxShapes {
		s.foldShapes()
	}
}

// foldShapes moves the shape counts into per-path tallies.
func (s *docStats) foldShapes() {
	for skel, n := range s.shapes {
		expandSkeleton(skel, func(path string, t bsoncore.Type) { s.paths[pathType{path, t}] += *n })
	}
	clear(s.shapes)
}

// merge adds o's documents to s.
func (s *docStats) merge(o *docStats) {
	s.count += o.count
	s.sum += o.sum
	for skel, n := range o.shapes {
		s.countShape(skel, *n)
	}
	for k, n := range o.paths {
		s.paths[k] += n
	}
}

// tallies returns, for every dotted path, how many values of each type were
// seen there.
func (s *docStats) tallies() map[string]map[bsoncore.Type]int64 {
	s.foldShapes()
	out := map[string]map[bsoncore.Type]int64{}
	for k, n := range s.paths {
		m := out[k.path]
		if m == nil {
			m = map[bsoncore.Type]int64{}
			out[k.path] = m
		}
		m[k.typ] += n
	}
	return out
}

// expandSkeleton calls fn for every (path, type) of a skeleton: a sequence
// of type byte, key (empty inside arrays), 0, with a 0 closing every
// embedded document and array. Array elements are tallied under "path[]".
func expandSkeleton(skel string, fn func(path string, t bsoncore.Type)) {
	var stack []string // path of each open document; "" at the top
	parent, inArray := "", false
	var arrays []bool
	for i := 0; i < len(skel); {
		t := bsoncore.Type(skel[i])
		i++
		if t == 0 {
			parent, stack = stack[len(stack)-1], stack[:len(stack)-1]
			inArray, arrays = arrays[len(arrays)-1], arrays[:len(arrays)-1]
			continue
		}
		end := strings.IndexByte(skel[i:], 0)
		key := skel[i : i+end]
		i += end + 1
		var path string
		switch {
		case inArray:
			path = parent + "[]"
		case parent == "":
			path = key
		default:
			path = parent + "." + key
		}
		fn(path, t)
		if t == bsoncore.TypeEmbeddedDocument || t == bsoncore.TypeArray {
			stack = append(stack, parent)
			arrays = append(arrays, inArray)
			parent, inArray = path, t == bsoncore.TypeArray
		}
	}
}

// lastPath returns the path of the last element of a partial skeleton.
func lastPath(skel []byte) string {
	var last string
	expandSkeleton(string(skel), func(path string, _ bsoncore.Type) { last = path })
	return last
}

// typeName returns the alias MongoDB's $type operator uses for t.
func typeName(t bsoncore.Type) string {
	switch t {
	case bsoncore.TypeDouble:
		return "double"
	case bsoncore.TypeString:
		return "string"
	case bsoncore.TypeEmbeddedDocument:
		return "object"
	case bsoncore.TypeArray:
		return "array"
	case bsoncore.TypeBinary:
		return "binData"
	case bsoncore.TypeUndefined:
		return "undefined"
	case bsoncore.TypeObjectID:
		return "objectId"
	case bsoncore.TypeBoolean:
		return "bool"
	case bsoncore.TypeDateTime:
		return "date"
	case bsoncore.TypeNull:
		return "null"
	case bsoncore.TypeRegex:
		return "regex"
	case bsoncore.TypeDBPointer:
		return "dbPointer"
	case bsoncore.TypeJavaScript:
		return "javascript"
	case bsoncore.TypeSymbol:
		return "symbol"
	case bsoncore.TypeCodeWithScope:
		return "javascriptWithScope"
	case bsoncore.TypeInt32:
		return "int"
	case bsoncore.TypeTimestamp:
		return "timestamp"
	case bsoncore.TypeInt64:
		return "long"
	case bsoncore.TypeDecimal128:
		return "decimal"
	case bsoncore.TypeMinKey:
		return "minKey"
	case bsoncore.TypeMaxKey:
		return "maxKey"
	}
	return fmt.Sprintf("type 0x%02x", byte(t))
}

// TypeCount is how many values of one BSON type were seen at a path.
type TypeCount struct {
	// Type is MongoDB's alias for the type: "string", "int", "date"...
	Type  string `json:"type"`
	Count int64  `json:"count"`
}

// TypeCounts are the types seen at a path, most frequent first.
type TypeCounts []TypeCount

// String renders the counts as "date ×54966, null ×534".
func (c TypeCounts) String() string {
	if len(c) == 0 {
		return "nothing"
	}
	parts := make([]string, len(c))
	for i, tc := range c {
		parts[i] = fmt.Sprintf("%s ×%d", tc.Type, tc.Count)
	}
	return strings.Join(parts, ", ")
}

func typeCounts(m map[bsoncore.Type]int64) TypeCounts {
	out := make(TypeCounts, 0, len(m))
	for t, n := range m {
		out = append(out, TypeCount{Type: typeName(t), Count: n})
	}
	slices.SortFunc(out, func(a, b TypeCount) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return strings.Compare(a.Type, b.Type)
	})
	return out
}

// TypeMismatch is a path whose types differ between what was sent and what
// the database holds.
type TypeMismatch struct {
	Path string     `json:"path"`
	Want TypeCounts `json:"want"`
	Got  TypeCounts `json:"got"`
}

// compareTallies lists the paths whose type counts differ, sorted by path.
// When the document counts differ (exact false), every path's counts
// differ too, which the count already reports: then only paths where a
// type appears or vanishes are listed.
func compareTallies(want, got map[string]map[bsoncore.Type]int64, exact bool) []TypeMismatch {
	var out []TypeMismatch
	seen := map[string]bool{}
	for _, m := range []map[string]map[bsoncore.Type]int64{want, got} {
		for path := range m {
			if seen[path] {
				continue
			}
			seen[path] = true
			if differ(want[path], got[path], exact) {
				out = append(out, TypeMismatch{Path: path, Want: typeCounts(want[path]), Got: typeCounts(got[path])})
			}
		}
	}
	slices.SortFunc(out, func(a, b TypeMismatch) int { return strings.Compare(a.Path, b.Path) })
	return out
}

func differ(want, got map[bsoncore.Type]int64, exact bool) bool {
	if len(want) != len(got) {
		return true
	}
	for t, n := range want {
		m, ok := got[t]
		if !ok || (exact && m != n) {
			return true
		}
	}
	return false
}

// ferretUnsupported refuses the values FerretDB v1 cannot store: it closes
// the connection on a NaN double or a decimal128 instead of answering, which
// a writer would otherwise retry until its timeout.
func ferretUnsupported(t bsoncore.Type, v bsoncore.Value) string {
	switch t {
	case bsoncore.TypeDouble:
		if math.IsNaN(math.Float64frombits(binary.LittleEndian.Uint64(v.Data))) {
			return "NaN, which the embedded store cannot store"
		}
	case bsoncore.TypeDecimal128:
		return "a decimal128, which the embedded store cannot store"
	}
	return ""
}
