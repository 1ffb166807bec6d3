package runner

import (
	"fmt"
	"io"
	"runner/stages/report"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress shows a run's progress on standard error: a bar with rows/s on a
// terminal, and a plain line every plainEvery otherwise (logs, CI), so that
// long runs are never silent and logs are never flooded.
type progress struct {
	out     io.Writer
	meter   *meter
	bar     *progressbar.ProgressBar
	started time.Time
	// last is the row count shown last: nothing is shown while it stands
	// still (verifying, swapping), so rates never seem to fall.
	last     int64
	mu       sync.Mutex
	stopped  chan struct{}
	finished sync.WaitGroup
}

const (
	barEvery   = 200 * time.Millisecond
	plainEvery = 10 * time.Second
)

// startProgress starts showing progress of reading totalBytes of source.
func (a *app) startProgress(m *meter, totalBytes int64, quiet bool) *progress {
	p := &progress{out: a.stderr, meter: m, started: time.Now(), stopped: make(chan struct{})}
	if quiet {
		p.out = io.Discard
	}
	every := plainEvery
	if a.terminal && !quiet {
		every = barEvery
		p.bar = progressbar.NewOptions64(totalBytes,
			progressbar.OptionSetWriter(a.stderr),
			progressbar.OptionShowBytes(true),
			progressbar.OptionSetWidth(24),
			progressbar.OptionThrottle(barEvery),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionSetPredictTime(false),
		)
	}
	p.finished.Add(1)
	go p.loop(every, totalBytes)
	return p
}

func (p *progress) loop(every time.Duration, total int64) {
	defer p.finished.Done()
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-p.stopped:
			return
		case <-tick.C:
			p.mu.Lock()
			p.show(total)
			p.mu.Unlock()
		}
	}
}

func (p *progress) show(total int64) {
	rows, docs, read := p.meter.rowsRead.Load(), p.meter.docs.Load(), p.meter.bytesRead.Load()
	if rows == p.last && p.bar == nil {
		return
	}
	p.last = rows
	elapsed := time.Since(p.started).Seconds()
	rate := float64(rows) / max(elapsed, 1e-9)
	line := fmt.Sprintf("%s rows read, %s documents sent, %s rows/s", report.Thousands(rows), report.Thousands(docs), report.Thousands(int64(rate)))
	if p.bar != nil {
		p.bar.Describe(line)
		_ = p.bar.Set64(read)
		return
	}
	pct := 0.0
	if total > 0 {
		pct = 100 * float64(read) / float64(total)
	}
	fmt.Fprintf(p.out, "progress: %s (%.0f%% of the source)\n", line, pct)
}

// say prints what the run is doing now, above the bar.
func (p *progress) say(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		_ = p.bar.Clear()
	}
	fmt.Fprintf(p.out, format+"\n", args...)
}

// stop ends the display.
func (p *progress) stop() {
	close(p.stopped)
	p.finished.Wait()
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
