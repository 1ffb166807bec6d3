package runner

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"runner/stages"
	"runner/stages/csvsource"
	"runner/stages/dedup"
	"runner/stages/plan"
	"runner/stages/shape"
)

// preview is what plan learns from the first batch of the source.
type preview struct {
	Files   []string         `json:"files"`
	Header  []string         `json:"header"`
	Rows    int              `json:"rows_in_first_batch"`
	Rejects int              `json:"rejects_in_first_batch"`
	Samples []sampleDocument `json:"sample_documents"`
}

type sampleDocument struct {
	Line int    `json:"line"`
	JSON string `json:"document"`
}

// previewSource reads the source's header and first batch and builds the
// first n documents through the real stages. A `from` naming no header
// field is returned as diagnostics, before any row is read.
func (a *app) previewSource(ctx context.Context, l *loaded, n int, mem memory.Allocator) (*preview, error) {
	p := l.plan
	files, header, err := a.checkHeaders(l)
	if err != nil {
		return nil, err
	}
	pv := &preview{Files: files, Header: header}
	cfg := sourceConfig(p, files[:1])
	reader, err := csvsource.Open(ctx, cfg, mem)
	if err != nil {
		return nil, err
	}
	defer reader.Close()
	if !reader.Next() {
		return pv, reader.Err()
	}
	pl, err := newPipeline(p, reader.Schema(), mem)
	if err != nil {
		return nil, err
	}
	hasher, err := pl.dedupHasher()
	if err != nil {
		return nil, err
	}
	text := reader.RecordBatch()
	t, err := pl.transform(text, reader.Rejects(), hasher)
	if err != nil {
		return nil, err
	}
	defer t.release()
	pv.Rows, pv.Rejects = int(text.NumRows())+t.sourceRejects, len(t.rejects)
	var keep []bool
	if t.keys != nil {
		keep = make([]bool, len(t.keys))
		ordinals := make([]uint64, len(t.keys))
		for i := range ordinals {
			ordinals[i] = uint64(i)
		}
		// The preview keeps the first of every key whatever the pipeline's
		// keep: the last occurrence may lie beyond the first batch.
		if _, err := dedup.New(plan.KeepFirst, len(t.keys)).Select(t.keys, ordinals, keep); err != nil {
			return nil, err
		}
	}
	fin, err := pl.newFinisher(false)
	if err != nil {
		return nil, err
	}
	docs := &stages.DocBatch{}
	if err := fin.finish(t, keep, docs); err != nil {
		return nil, err
	}
	masked := sensitivePaths(p)
	for i := 0; i < docs.Len() && i < n; i++ {
		js, err := shape.JSON(docs.Doc(i), masked)
		if err != nil {
			return nil, fmt.Errorf("render sample document: %w", err)
		}
		pv.Samples = append(pv.Samples, sampleDocument{Line: docs.Origins[i].Line(), JSON: js})
	}
	return pv, nil
}

// sensitivePaths lists the document paths whose value comes from a
// sensitive column; samples show them masked.
func sensitivePaths(p *plan.Plan) []string {
	var paths []string
	var walk func(prefix string, fields []*plan.DocField)
	walk = func(prefix string, fields []*plan.DocField) {
		for _, f := range fields {
			path := prefix + f.Name
			if f.Expr == nil {
				walk(path+".", f.Fields)
				continue
			}
			for _, name := range f.Expr.Columns() {
				if c, _ := p.Column(name); c != nil && c.Sensitive {
					paths = append(paths, path)
					break
				}
			}
		}
	}
	walk("", p.Document.Fields)
	return paths
}
