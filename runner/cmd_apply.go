package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/spf13/cobra"

	"runner/schemas"
	"runner/stages/csvsource"
	"runner/stages/report"
)

func (a *app) applyCommand() *cobra.Command {
	var f pipelineFlags
	var dryRun bool
	var storeDir, out, cpuProfile, memProfile string
	cmd := &cobra.Command{
		Use:   "apply FILE",
		Short: "Run the pipeline: read, clean, dedup, load, verify and report",
		Long: `apply streams the source through the pipeline's stages into the target, verifies
in the database what landed, and writes reports to a new folder under the
report dir (run.json, cleaning.md, quality.csv, rejects.csv). Every row is
accounted for: rows read = rejected + duplicates + loaded, checked every run.

In replace mode a failed run, a failed check or Ctrl-C leaves the previous
collection exactly as it was. Without a MongoDB URI, apply uses the embedded
store under .runner/.

Exit codes: 0 success, 1 a check (or the rejects limit) failed, 2 the pipeline
file is wrong, 3 a runtime failure (also when the data landed but the reports
could not be written: the message then says so first).`,
		Example: `  runner apply pipelines/healthcare.hcl
  runner apply pipelines/healthcare.hcl -var csv_path=/data/admissions.csv
  runner apply pipelines/healthcare.hcl -dry-run
  runner apply pipelines/healthcare.hcl -dry-run -out admissions.bson   # then: mongorestore --collection admissions ...
  MONGO_URI='mongodb://writer:...@localhost:27017/medical_records' runner apply pipelines/healthcare.hcl -json`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out != "" && !dryRun {
				return withCode(ExitInvalid, fmt.Errorf("-out writes the documents of a dry run; add -dry-run"))
			}
			l, err := a.load(args[0], f)
			if err != nil {
				return err
			}
			if _, _, err := a.checkHeaders(l); err != nil {
				return err
			}
			stopProfiles, err := startProfiles(cpuProfile, memProfile)
			if err != nil {
				return err
			}
			defer stopProfiles()
			m := &meter{}
			prog := a.startProgress(m, sourceBytes(l.plan.Source.Path), f.json)
			run, err := apply(cmd.Context(), l.plan, applyOptions{file: args[0], dryRun: dryRun, out: out, storeDir: storeDir,
				mem: memory.NewGoAllocator(), workers: defaultWorkers(), meter: m, say: prog.say, logger: a.logger, version: version, cleanup: a.cleanup, swapStepDone: a.swapStepDone})
			prog.stop()
			if f.json {
				if jerr := a.printJSON(run); jerr != nil && err == nil {
					err = jerr
				}
			} else {
				a.printSummary(run, l.plan.Report.Dir)
			}
			return err
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "run every stage and pre-load check and build every document, but write nothing to the target")
	cmd.Flags().StringVar(&storeDir, "store-dir", "", "the embedded store's folder (default: the target's embedded_dir)")
	cmd.Flags().StringVar(&out, "out", "", "with -dry-run: write every document to this file as a BSON stream (what mongorestore reads)")
	cmd.Flags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the run to this file (for `go tool pprof`)")
	cmd.Flags().StringVar(&memProfile, "memprofile", "", "write a heap profile at the end of the run to this file")
	_ = cmd.Flags().MarkHidden("cpuprofile")
	_ = cmd.Flags().MarkHidden("memprofile")
	return cmd
}

// startProfiles starts the CPU profile and returns what writes the heap
// profile and stops the CPU one; empty paths profile nothing.
func startProfiles(cpuPath, memPath string) (func(), error) {
	var cpu *os.File
	if cpuPath != "" {
		var err error
		if cpu, err = os.Create(cpuPath); err != nil {
			return nil, err
		}
		if err := pprof.StartCPUProfile(cpu); err != nil {
			cpu.Close()
			return nil, fmt.Errorf("start the CPU profile: %w", err)
		}
	}
	return func() {
		if cpu != nil {
			pprof.StopCPUProfile()
			cpu.Close()
		}
		if memPath != "" {
			if f, err := os.Create(memPath); err == nil {
				_ = pprof.Lookup("heap").WriteTo(f, 0)
				f.Close()
			}
		}
	}, nil
}

// checkHeaders reports, as pipeline-file diagnostics, every column whose
// `from` names no field of the first source file's header. It returns the
// source files and that header.
func (a *app) checkHeaders(l *loaded) (files, header []string, err error) {
	if files, err = expandSource(l.plan.Source.Path); err != nil {
		return nil, nil, err
	}
	if header, err = csvsource.ReadHeader(files[0], sourceConfig(l.plan, files)); err != nil {
		return nil, nil, err
	}
	if diags := schemas.CheckHeaders(l.plan, header); diags.HasErrors() {
		if err := a.printDiagnostics(l.loader.Sources(), diags, false); err != nil {
			return nil, nil, err
		}
		return nil, nil, reported(ExitInvalid)
	}
	return files, header, nil
}

func sourceBytes(path string) int64 {
	files, _ := filepath.Glob(path)
	var n int64
	for _, f := range files {
		if info, err := os.Stat(f); err == nil {
			n += info.Size()
		}
	}
	return n
}

// printTargetCounts finishes the target line with what the database did.
func (a *app) printTargetCounts(t report.Target) {
	w := a.stdout
	fmt.Fprintf(w, "%s inserted", report.Thousands(t.Inserted))
	if t.AlreadyPresent > 0 {
		fmt.Fprintf(w, ", %s already present", report.Thousands(t.AlreadyPresent))
	}
	if t.Upserted+t.Replaced > 0 {
		fmt.Fprintf(w, ", %s upserted, %s replaced", report.Thousands(t.Upserted), report.Thousands(t.Replaced))
	}
	if t.Swapped {
		fmt.Fprint(w, ", swapped in")
	}
	fmt.Fprintln(w)
}

// printSummary tells a person how the run went.
func (a *app) printSummary(run *report.Run, reportRoot string) {
	w := a.stdout
	mode := ""
	if run.DryRun {
		mode = " (dry run: nothing written)"
	}
	fmt.Fprintf(w, "%s: %s in %.1f s%s\n", run.Pipeline, run.Status, run.Seconds, mode)
	r := run.Reconciliation
	holds := "holds"
	switch {
	case run.Status == report.StatusFailed || run.Status == report.StatusCancelled:
		holds = "partial: the run stopped before the end"
	case !r.Holds:
		holds = "DOES NOT HOLD"
	}
	fmt.Fprintf(w, "  rows     %s (%s)\n", r.Equation("loaded"), holds)
	t := run.Target
	fmt.Fprintf(w, "  target   %s.%s on %s, %s: ", t.Database, t.Collection, t.URI, t.Mode)
	switch {
	case run.DryRun:
		fmt.Fprintln(w, "nothing written (dry run)")
	case r.RowsDiscarded > 0:
		fmt.Fprintf(w, "%s staged and discarded, the previous collection kept\n", report.Thousands(r.RowsDiscarded))
	default:
		a.printTargetCounts(t)
	}
	var passed, warned, failed, skipped []string
	for _, c := range run.Checks {
		label := c.Name
		if c.Failures > 0 {
			label += fmt.Sprintf(" (%s rows)", report.Thousands(c.Failures))
		}
		switch c.Status {
		case "passed":
			passed = append(passed, c.Name)
		case "warned":
			warned = append(warned, label)
		case "failed":
			failed = append(failed, label)
		default:
			skipped = append(skipped, c.Name)
		}
	}
	fmt.Fprintf(w, "  checks   %d passed", len(passed))
	for _, group := range []struct {
		word  string
		names []string
	}{{"warned", warned}, {"failed", failed}, {"skipped", skipped}} {
		if len(group.names) > 0 {
			fmt.Fprintf(w, ", %d %s: %s", len(group.names), group.word, strings.Join(group.names, ", "))
		}
	}
	fmt.Fprintln(w)
	if v := run.Verification; v != nil {
		verdict := "as sent"
		if !v.Passed {
			verdict = "DIFFERENT from what was sent"
		}
		fmt.Fprintf(w, "  verify   %s of %s documents found, content %s, %d sampled, %.1f s\n",
			report.Thousands(v.Found), report.Thousands(v.Expected), verdict, v.Sampled, v.Seconds)
	}
	var times []string
	for _, s := range run.Stages {
		times = append(times, fmt.Sprintf("%s %.2f s", s.ID, s.Seconds))
	}
	fmt.Fprintf(w, "  stages   %s\n", strings.Join(times, " · "))
	if run.Rejects.Rows > 0 {
		fmt.Fprintf(w, "  rejects  %s rows in rejects.csv\n", report.Thousands(run.Rejects.Rows))
	}
	if dir := filepath.Join(reportRoot, run.Pipeline+"-"+run.RunID); len(run.Files) > 0 {
		fmt.Fprintf(w, "  reports  %s (%s)\n", dir, strings.Join(run.Files, ", "))
	}
}
