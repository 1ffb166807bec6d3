package runner

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"golang.org/x/sync/errgroup"

	"runner/stages"
	"runner/stages/checks"
	"runner/stages/columns"
	"runner/stages/csvsource"
	"runner/stages/dedup"
	"runner/stages/plan"
	"runner/stages/profile"
	"runner/stages/report"
)

// passKind says what one read of the source is for.
type passKind int

const (
	// observePass records the last row of every dedup key (keep = "last").
	observePass passKind = iota
	// validatePass runs the columns stage, dedup and the checks without
	// building documents: it proves the data good before append and upsert
	// write into a collection that has no staging copy to fall back on.
	validatePass
	// loadPass does everything and hands documents to the sink.
	loadPass
)

func (k passKind) String() string {
	return [...]string{"observe duplicates", "validate", "load"}[k]
}

// docSink receives the documents of a pass: the MongoDB load, a BSON file
// (a dry run with -out), or discard. Write is called from several
// goroutines at once.
type docSink interface {
	Write(ctx context.Context, b *stages.DocBatch) error
}

// discard is the sink of a dry run without -out, and of the passes that
// build no documents: it drops them. The pass counts the documents itself
// (passResult.docs).
type discard struct{}

func (discard) Write(context.Context, *stages.DocBatch) error { return nil }

// bsonFile is the sink of a dry run with -out: every document, written as a
// BSON stream (documents end to end, what mongorestore reads).
type bsonFile struct {
	mu   sync.Mutex
	w    *bufio.Writer
	docs atomic.Int64
}

func (f *bsonFile) Write(_ context.Context, b *stages.DocBatch) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.w.Write(b.Data); err != nil {
		return fmt.Errorf("write documents: %w", err)
	}
	f.docs.Add(int64(b.Len()))
	return nil
}

// stageClock accumulates the time goroutines spend inside one stage.
type stageClock struct{ nanos atomic.Int64 }

func (c *stageClock) since(start time.Time) { c.nanos.Add(int64(time.Since(start))) }

func (c *stageClock) seconds() float64 { return time.Duration(c.nanos.Load()).Seconds() }

// passResult is what one pass counted.
type passResult struct {
	source        csvsource.Stats
	rowsIn        int64 // rows that reached the columns stage
	sourceRejects int64
	columnRejects int64
	deduplicated  int64
	dedupLines    []int
	docs          int64
	colStats      columns.Stats
	tally         *checks.Tally
	profile       *profile.Profiler
	clocks        map[string]*stageClock
	// rejectsExceeded is set when a count limit on rejects stopped the pass.
	rejectsExceeded bool
}

func (r *passResult) rowsRead() int64 { return r.rowsIn + r.sourceRejects }

func (r *passResult) rejected() int64 { return r.sourceRejects + r.columnRejects }

// Stage IDs, as the plan names them.
const (
	stageSource   = "source.csv"
	stageColumns  = "columns"
	stageDedup    = "dedup"
	stageChecks   = "checks"
	stageDocument = "document"
	stageTarget   = "target.mongodb"
	stageVerify   = "verify"
)

// maxDedupLines is how many removed duplicates' lines the report lists.
const maxDedupLines = 10

// passConfig is what a pass needs besides the plan.
type passConfig struct {
	kind    passKind
	files   []string
	mem     memory.Allocator
	workers int
	dedup   *dedup.Dedup
	sink    docSink
	rejects *report.RejectsWriter // nil: rejects are counted, not written
	meter   *meter
	// rowsHint sizes the key sets of the checks.
	rowsHint int
	// memory follows the size of the key sets.
	memory *memoryLimit
}

// runPass reads the source once through the pipeline's stages.
func runPass(ctx context.Context, p *plan.Plan, cfg passConfig) (res *passResult, err error) {
	reader, err := csvsource.Open(ctx, sourceConfig(p, cfg.files), cfg.mem)
	if err != nil {
		return nil, err
	}
	defer reader.Close()
	pl, err := newPipeline(p, reader.Schema(), cfg.mem)
	if err != nil {
		return nil, err
	}
	res = &passResult{clocks: map[string]*stageClock{}}
	for _, id := range []string{stageSource, stageColumns, stageDedup, stageChecks, stageDocument, stageTarget} {
		res.clocks[id] = &stageClock{}
	}
	res.tally = pl.checks.NewTally(cfg.rowsHint)
	finishers := make([]*finisher, cfg.workers)
	for w := range finishers {
		if finishers[w], err = pl.newFinisher(cfg.kind == loadPass); err != nil {
			return nil, err
		}
	}

	g, gctx := errgroup.WithContext(ctx)
	textCh := make(chan sourceBatch, cfg.workers)
	transCh := make(chan *transformed, cfg.workers)
	finishCh := make(chan finishJob, cfg.workers)
	defer drain(textCh, transCh, finishCh)

	g.Go(func() error { return readSource(gctx, reader, textCh, res, cfg.meter) })

	var transformers sync.WaitGroup
	for range cfg.workers {
		transformers.Add(1)
		g.Go(func() error {
			defer transformers.Done()
			return transformBatches(gctx, pl, textCh, transCh, res)
		})
	}
	go func() { transformers.Wait(); close(transCh) }()

	seq := &sequencer{plan: p, cfg: cfg, res: res, pending: map[int]*transformed{}}
	g.Go(func() error {
		defer close(finishCh)
		defer seq.release()
		return seq.run(gctx, transCh, finishCh)
	})

	var docs atomic.Int64
	for _, f := range finishers {
		g.Go(func() error { return finishBatches(gctx, f, cfg, finishCh, res, &docs) })
	}
	if err := g.Wait(); err != nil {
		return res, err
	}
	res.source = reader.Stats()
	res.docs = docs.Load()
	res.profile = finishers[0].profile
	for _, f := range finishers[1:] {
		if f.profile != nil {
			res.profile.Merge(f.profile)
		}
	}
	return res, nil
}

func sourceConfig(p *plan.Plan, files []string) csvsource.Config {
	var fields []string
	seen := map[string]bool{}
	for _, c := range p.Columns {
		if c.From != "" && !seen[c.From] {
			seen[c.From] = true
			fields = append(fields, c.From)
		}
	}
	s := p.Source
	return csvsource.Config{Paths: files, Header: s.Header, FieldNames: s.FieldNames, Delimiter: s.Delimiter,
		Quote: s.Quote, Comment: s.Comment, NullValues: s.NullValues, BatchRows: s.BatchRows, MaxRecordBytes: s.MaxRecordBytes, Select: fields}
}

type sourceBatch struct {
	seq     int
	batch   arrow.RecordBatch
	rejects []stages.Reject
}

type finishJob struct {
	t    *transformed
	keep []bool
}

func readSource(ctx context.Context, reader *csvsource.Reader, out chan<- sourceBatch, res *passResult, m *meter) error {
	defer close(out)
	clock := res.clocks[stageSource]
	for seq := 0; ; seq++ {
		start := time.Now()
		ok := reader.Next()
		clock.since(start)
		if !ok {
			break
		}
		b := reader.RecordBatch()
		b.Retain()
		sb := sourceBatch{seq: seq, batch: b, rejects: append([]stages.Reject(nil), reader.Rejects()...)}
		m.bytesRead.Store(reader.Stats().Bytes)
		select {
		case out <- sb:
		case <-ctx.Done():
			b.Release()
			return ctx.Err()
		}
	}
	return reader.Err()
}

func transformBatches(ctx context.Context, pl *pipeline, in <-chan sourceBatch, out chan<- *transformed, res *passResult) error {
	hasher, err := pl.dedupHasher()
	if err != nil {
		return err
	}
	clock := res.clocks[stageColumns]
	for sb := range in {
		start := time.Now()
		t, err := pl.transform(sb.batch, sb.rejects, hasher)
		sb.batch.Release()
		clock.since(start)
		if err != nil {
			return err
		}
		t.seq = sb.seq
		select {
		case out <- t:
		case <-ctx.Done():
			t.release()
			return ctx.Err()
		}
	}
	return nil
}

func finishBatches(ctx context.Context, f *finisher, cfg passConfig, in <-chan finishJob, res *passResult, docs *atomic.Int64) error {
	shapeClock, sinkClock := res.clocks[stageDocument], res.clocks[stageTarget]
	for job := range in {
		start := time.Now()
		batch := &stages.DocBatch{}
		err := f.finish(job.t, job.keep, batch)
		job.t.release()
		shapeClock.since(start)
		if err != nil {
			return err
		}
		docs.Add(int64(batch.Len()))
		start = time.Now()
		if err := cfg.sink.Write(ctx, batch); err != nil {
			return err
		}
		sinkClock.since(start)
		cfg.meter.docs.Add(int64(batch.Len()))
	}
	return nil
}

// sequencer puts transformed batches back in stream order and does what
// needs that order: writing rejects, dedup, and the check tally.
type sequencer struct {
	plan    *plan.Plan
	cfg     passConfig
	res     *passResult
	pending map[int]*transformed
	next    int
	ordinal uint64
}

func (s *sequencer) run(ctx context.Context, in <-chan *transformed, out chan<- finishJob) error {
	for t := range in {
		s.pending[t.seq] = t
		for {
			t, ok := s.pending[s.next]
			if !ok {
				break
			}
			delete(s.pending, s.next)
			s.next++
			job, err := s.process(t)
			if err != nil {
				t.release()
				return err
			}
			if job == nil {
				t.release()
				continue
			}
			select {
			case out <- *job:
			case <-ctx.Done():
				t.release()
				return ctx.Err()
			}
		}
	}
	if len(s.pending) > 0 {
		return errors.New("internal: batches left out of order at the end of the stream")
	}
	return nil
}

// process handles one batch in stream order. It returns the job for the
// finish workers, or nil when the pass builds no documents.
func (s *sequencer) process(t *transformed) (*finishJob, error) {
	res := s.res
	res.rowsIn += int64(t.rowsIn)
	res.sourceRejects += int64(t.sourceRejects)
	res.columnRejects += int64(len(t.rejects) - t.sourceRejects)
	s.cfg.meter.rowsRead.Add(int64(t.rowsIn + t.sourceRejects))
	res.colStats.Merge(t.stats)
	if s.cfg.rejects != nil {
		if err := s.cfg.rejects.Write(t.rejects); err != nil {
			return nil, err
		}
	}
	if limit := s.plan.Source.MaxRejects; limit.Share == 0 && !limit.Unlimited && res.rejected() > limit.Count {
		res.rejectsExceeded = true
		return nil, errRejectsExceeded
	}

	rows := int(t.batch.NumRows())
	ordinals := make([]uint64, rows)
	for i := range ordinals {
		ordinals[i] = s.ordinal
		s.ordinal++
	}
	var keep []bool
	if s.cfg.dedup != nil {
		start := time.Now()
		if s.cfg.kind == observePass {
			err := s.cfg.dedup.Observe(t.keys, ordinals)
			res.clocks[stageDedup].since(start)
			return nil, err
		}
		keep = make([]bool, rows)
		dropped, err := s.cfg.dedup.Select(t.keys, ordinals, keep)
		res.clocks[stageDedup].since(start)
		if err != nil {
			return nil, err
		}
		res.deduplicated += int64(dropped)
		s.noteDropped(t, keep)
	}
	start := time.Now()
	res.tally.Add(t.partial, keep)
	res.clocks[stageChecks].since(start)
	state := int64(res.tally.Bytes())
	if s.cfg.dedup != nil {
		state += int64(s.cfg.dedup.Bytes())
	}
	s.cfg.memory.track(state)
	if s.cfg.kind != loadPass {
		return nil, nil
	}
	return &finishJob{t: t, keep: keep}, nil
}

func (s *sequencer) noteDropped(t *transformed, keep []bool) {
	if len(s.res.dedupLines) >= maxDedupLines {
		return
	}
	// The origin is the last column of the columns stage's batches.
	origins := t.batch.Column(int(t.batch.NumCols()) - 1).(*array.Int64)
	for i, k := range keep {
		if !k && len(s.res.dedupLines) < maxDedupLines {
			s.res.dedupLines = append(s.res.dedupLines, stages.Origin(origins.Value(i)).Line())
		}
	}
}

func (s *sequencer) release() {
	for seq, t := range s.pending {
		t.release()
		delete(s.pending, seq)
	}
}

// errRejectsExceeded stops a pass whose rejects passed a count limit.
var errRejectsExceeded = errors.New("too many rejected rows")

// drain releases the batches left in the channels of a pass that stopped
// early.
func drain(text chan sourceBatch, trans chan *transformed, finish chan finishJob) {
	for {
		select {
		case sb, ok := <-text:
			if ok {
				sb.batch.Release()
				continue
			}
			text = nil
		case t, ok := <-trans:
			if ok {
				t.release()
				continue
			}
			trans = nil
		case job, ok := <-finish:
			if ok {
				job.t.release()
				continue
			}
			finish = nil
		default:
			return
		}
	}
}

// defaultWorkers is how many goroutines transform and encode: one per CPU.
func defaultWorkers() int { return max(1, runtime.GOMAXPROCS(0)) }

// meter holds the live counters the progress display reads.
type meter struct {
	rowsRead  atomic.Int64
	bytesRead atomic.Int64
	docs      atomic.Int64
}
