package stages

// DocBatch is a batch of BSON documents in row order, laid end to end in
// one buffer so that encoding a batch costs no allocation per document. The
// shape stage appends to it; the sink takes ownership of it on Write and
// keeps it until the documents are acknowledged.
type DocBatch struct {
	// Data holds every document's bytes, one after another.
	Data []byte
	// Ends[i] is the offset in Data just past document i.
	Ends []int
	// Origins[i] is where the row that became document i came from.
	Origins []Origin
}

// Len returns the number of documents.
func (b *DocBatch) Len() int { return len(b.Ends) }

// Doc returns document i. The slice aliases Data.
func (b *DocBatch) Doc(i int) []byte {
	start := 0
	if i > 0 {
		start = b.Ends[i-1]
	}
	return b.Data[start:b.Ends[i]]
}

// Add records that the bytes appended to Data since the previous document
// form one more document, which came from origin.
func (b *DocBatch) Add(origin Origin) {
	b.Ends = append(b.Ends, len(b.Data))
	b.Origins = append(b.Origins, origin)
}

// Reset empties the batch, keeping its buffers for reuse.
func (b *DocBatch) Reset() {
	b.Data = b.Data[:0]
	b.Ends = b.Ends[:0]
	b.Origins = b.Origins[:0]
}
