package main

import (
	"fmt"
	"runtime"
	"sort"
	"strings"
	"time"
)

// The targets BENCHMARKS.md checks, each against figures of the same run.
const (
	targetDryRows    = 5_550_000
	targetRowsPerSec = 500_000
	targetCPUPerRow  = 4 * time.Microsecond
	targetPeakRSS    = 300 << 20
	targetRSSGrowth  = 1.5
	targetRSSBase    = 555_000
	targetCeiling    = 0.95
	targetVerify     = 0.5
	targetEndToEnd   = 1.3
)

func (b *bench) markdown() string {
	var w strings.Builder
	fmt.Fprintf(&w, "# Benchmarks\n\nMeasured by `make bench` (`%s`) on %s: %d CPUs, %s, %s/%s; the run took %s. "+
		"Every ratio below compares figures of this one run, so that the machine's noise cancels out.\n\n",
		b.command, b.started.UTC().Format("2006-01-02 15:04 UTC"), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH,
		b.finished.Sub(b.started).Round(time.Second))
	w.WriteString("- **dry run**: `runner apply -dry-run` of the healthcare pipeline: every stage and pre-load check, every BSON document built, nothing written. Its time, CPU and peak memory are the client's own cost.\n")
	w.WriteString("- **ceiling**: a plain `InsertMany` of the same documents, built beforehand, into a fresh embedded store (2 goroutines, batches of 5,000): the most the store takes.\n")
	w.WriteString("- **load**: `runner apply` into a fresh embedded store: the documents/s of its writes, compared with the ceiling's; then its verification, which reads back everything that landed.\n\n")

	b.targets(&w)
	b.bySize(&w)
	b.stageTable(&w)
	return w.String()
}

func yes(ok bool) string {
	if ok {
		return "met"
	}
	return "**not met**"
}

func (b *bench) size(rows int) *sizeResult {
	for i := range b.sizes {
		if b.sizes[i].Rows == rows {
			return &b.sizes[i]
		}
	}
	return nil
}

func (r *sizeResult) rowsPerSec() float64 { return float64(r.Rows) / r.DryRun.Wall.Seconds() }

func (r *sizeResult) cpuPerRow() time.Duration { return r.DryRun.CPU / time.Duration(r.Rows) }

func (r *sizeResult) ceilingRate() float64 { return float64(r.Docs) / r.Ceiling.Seconds() }

func (r *sizeResult) loadRate() float64 { return float64(r.Docs) / r.Apply.Run.Target.Seconds }

func (r *sizeResult) verifySeconds() float64 {
	if v := r.Apply.Run.Verification; v != nil {
		return v.Seconds
	}
	return 0
}

func (b *bench) targets(w *strings.Builder) {
	w.WriteString("## Targets\n\n| target | measured | |\n|---|---|---|\n")
	big, base := b.size(targetDryRows), b.size(targetRSSBase)
	if big != nil {
		fmt.Fprintf(w, "| dry run of %s rows: at least %s rows/s | %s rows/s | %s |\n", count(targetDryRows), count(targetRowsPerSec),
			count(int64(big.rowsPerSec())), yes(big.rowsPerSec() >= targetRowsPerSec))
		fmt.Fprintf(w, "| dry run of %s rows: at most %s of CPU per row | %s | %s |\n", count(targetDryRows), targetCPUPerRow,
			big.cpuPerRow(), yes(big.cpuPerRow() <= targetCPUPerRow))
		fmt.Fprintf(w, "| dry run of %s rows: peak RSS under %d MB | %s | %s |\n", count(targetDryRows), targetPeakRSS>>20,
			mb(big.DryRun.PeakRSS), yes(big.DryRun.PeakRSS < targetPeakRSS))
		if base != nil {
			growth := float64(big.DryRun.PeakRSS) / float64(base.DryRun.PeakRSS)
			fmt.Fprintf(w, "| dry run: peak RSS at %s rows at most %.1f× the peak at %s | %.2f× (%s against %s) | %s |\n",
				count(targetDryRows), targetRSSGrowth, count(targetRSSBase), growth, mb(big.DryRun.PeakRSS), mb(base.DryRun.PeakRSS),
				yes(growth <= targetRSSGrowth))
		}
	} else {
		fmt.Fprintf(w, "| dry run of %s rows | not measured in this run | |\n", count(targetDryRows))
	}
	for _, r := range b.sizes {
		if !r.Loaded {
			fmt.Fprintf(w, "| load of %s rows: at least %.0f%% of the ceiling's documents/s | not measured by this run: `make bench-full` measures it | |\n",
				count(int64(r.Rows)), targetCeiling*100)
			continue
		}
		ratio := r.loadRate() / r.ceilingRate()
		fmt.Fprintf(w, "| load of %s rows: at least %.0f%% of the ceiling's documents/s | %.1f%% (%s against %s docs/s) | %s |\n",
			count(int64(r.Rows)), targetCeiling*100, ratio*100, count(int64(r.loadRate())), count(int64(r.ceilingRate())), yes(ratio >= targetCeiling))
	}
	for _, r := range b.sizes {
		if !r.Loaded {
			continue
		}
		ratio := r.verifySeconds() / r.Apply.Run.Target.Seconds
		fmt.Fprintf(w, "| verification at %s rows: at most %.0f%% of the load's time | %.1f%% (%.2f s against %.2f s) | %s |\n",
			count(int64(r.Rows)), targetVerify*100, ratio*100, r.verifySeconds(), r.Apply.Run.Target.Seconds, yes(ratio <= targetVerify))
	}
	if r := b.real; r != nil {
		ratio := r.Apply.Wall.Seconds() / r.Ceiling.Seconds()
		fmt.Fprintf(w, "| the real file end to end (read, clean, dedup, load, verify, report): at most %.1f× the ceiling's time | %.2f× (%.2f s against %.2f s) | %s |\n",
			targetEndToEnd, ratio, r.Apply.Wall.Seconds(), r.Ceiling.Seconds(), yes(ratio <= targetEndToEnd))
	} else {
		w.WriteString("| the real file end to end | not measured: the file is not there | |\n")
	}
	w.WriteString("\n")
	if big != nil && base != nil {
		keySetGrowth(w, big, base)
	}
}

// keySetGrowth splits the dry run's peak into the key sets, which grow
// with the distinct rows by design, and the rest, which should not grow.
func keySetGrowth(w *strings.Builder, big, base *sizeResult) {
	bigSets, baseSets := big.DryRun.Run.Runtime.KeySetBytes, base.DryRun.Run.Runtime.KeySetBytes
	bigRest, baseRest := big.DryRun.PeakRSS-bigSets, base.DryRun.PeakRSS-baseSets
	fmt.Fprintf(w, "**What grows with the data.** The key sets of the exact dedup and of the near_duplicates check hold a fixed-size hash "+
		"of every distinct row to the end of the pass (%.1f bytes per row here): %s at %s rows against %s at %s. "+
		"The rest of the peak (batches in flight, the profiles, the runtime) is %s against %s: %.2f×. "+
		"The sets are the memory the pipeline's dedup and near-duplicate check need; keeping less of them would forget keys, and miss duplicates.\n\n",
		float64(bigSets)/float64(big.Rows), mb(bigSets), count(int64(big.Rows)), mb(baseSets), count(int64(base.Rows)),
		mb(bigRest), mb(baseRest), float64(bigRest)/float64(baseRest))
}

func (b *bench) bySize(w *strings.Builder) {
	w.WriteString("## By size\n\n")
	w.WriteString("| rows | dry run: wall | rows/s | CPU/row | peak RSS | documents | ceiling: s | docs/s | load: s | docs/s | of ceiling | indexes: s | verify: s | apply: wall | CPU | peak RSS |\n")
	w.WriteString("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	rows := append([]sizeResult(nil), b.sizes...)
	if b.real != nil {
		rows = append(rows, *b.real)
	}
	for i, r := range rows {
		name := count(int64(r.Rows))
		if b.real != nil && i == len(rows)-1 {
			name += " (real file)"
		}
		if !r.Loaded {
			fmt.Fprintf(w, "| %s | %.2f s | %s | %s | %s | %s | – | – | – | – | – | – | – | – | – | – |\n",
				name, r.DryRun.Wall.Seconds(), count(int64(r.rowsPerSec())), r.cpuPerRow(), mb(r.DryRun.PeakRSS), count(r.Docs))
			continue
		}
		t := r.Apply.Run.Target
		fmt.Fprintf(w, "| %s | %.2f s | %s | %s | %s | %s | %.2f | %s | %.2f | %s | %.1f%% | %.2f | %.2f | %.2f s | %.2f s | %s |\n",
			name, r.DryRun.Wall.Seconds(), count(int64(r.rowsPerSec())), r.cpuPerRow(), mb(r.DryRun.PeakRSS), count(r.Docs),
			r.Ceiling.Seconds(), count(int64(r.ceilingRate())), t.Seconds, count(int64(r.loadRate())), 100*r.loadRate()/r.ceilingRate(),
			t.IndexSeconds, r.verifySeconds(), r.Apply.Wall.Seconds(), r.Apply.CPU.Seconds(), mb(r.Apply.PeakRSS))
	}
	w.WriteString("\nThe load's time runs from the first document sent to the last acknowledged; building the pipeline's two indexes follows it. " +
		"The apply's wall time is everything: starting the store, reading, cleaning, dedup, checks, the load, the indexes, the verification, the swap and the reports. " +
		"Its CPU includes the embedded store's, which runs in the same process.\n\n")
}

// stageMetrics are the per-row metrics shown for the stages, in order of
// preference; the first a benchmark reports is its cost column.
var stageMetrics = []string{"cpu-ns/row", "ns/row", "cpu-ns/cell", "ns/cell", "ns/insert", "ns/lookup", "ns/put"}

func (b *bench) stageTable(w *strings.Builder) {
	w.WriteString("## Stages\n\nGo benchmarks of each stage (`go test -bench` over `./stages/...`), one batch of 8,192 rows per operation unless the name says otherwise. " +
		"cpu-ns is CPU time from getrusage, less sensitive to a busy machine than wall time; allocs/op counts allocations per batch, not per row.\n\n")
	w.WriteString("| package | benchmark | cost | allocs/op | other |\n|---|---|---:|---:|---|\n")
	sorted := append([]goBench(nil), b.stages...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Package < sorted[j].Package })
	for _, s := range sorted {
		cost, used := "", ""
		for _, m := range stageMetrics {
			if v, ok := s.Metrics[m]; ok {
				cost, used = fmt.Sprintf("%.1f %s", v, m), m
				break
			}
		}
		var other []string
		for _, m := range []string{"bytes/entry", "bytes/row", "bytes/doc", "MB/s", "rows/s"} {
			if v, ok := s.Metrics[m]; ok && m != used {
				other = append(other, fmt.Sprintf("%.4g %s", v, m))
			}
		}
		fmt.Fprintf(w, "| %s | %s | %s | %.0f | %s |\n", s.Package, s.Name, cost, s.Metrics["allocs/op"], strings.Join(other, ", "))
	}
	w.WriteString("\n")
}

func mb(b int64) string { return fmt.Sprintf("%.0f MB", float64(b)/(1<<20)) }

// count renders n with thousands separators.
func count[N int | int64](n N) string {
	s := fmt.Sprint(n)
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}
