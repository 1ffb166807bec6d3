package runner

import (
	"context"
	"fmt"
	"io"
	"runner/stages/report"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/spf13/cobra"

	"runner/stages"
	"runner/stages/mongosink"
	"runner/stages/plan"
)

// sampleDocuments is how many documents plan builds from real rows.
const sampleDocuments = 3

// describeTimeout bounds how long plan waits for the target.
const describeTimeout = 10 * time.Second

func (a *app) planCommand() *cobra.Command {
	var f pipelineFlags
	var storeDir string
	cmd := &cobra.Command{
		Use:   "plan FILE",
		Short: "Show what apply would do, with sample documents built from real rows",
		Long: `plan compiles the pipeline, reads the CSV header and first batch, and prints the
stage graph with the schema at every step, the document schema, three sample
documents built from real rows by the real stages, and what will happen to the
target. It writes nothing. A column whose "from" names no header field is
reported with the list of the header's fields.`,
		Example: `  runner plan pipelines/healthcare.hcl
  runner plan pipelines/healthcare.hcl -var csv_path=../exports/admissions.csv -json`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := a.load(args[0], f)
			if err != nil {
				return err
			}
			pv, err := a.previewSource(cmd.Context(), l, sampleDocuments, memory.NewGoAllocator())
			if err != nil {
				return err
			}
			state := describeTarget(cmd.Context(), l.plan, storeDir, a)
			if f.json {
				return a.printJSON(planOutput{Plan: l.plan, Preview: pv, Target: state, Actions: targetActions(l.plan, state)})
			}
			renderPlan(a.stdout, args[0], l.plan, pv, state)
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&storeDir, "store-dir", "", "the embedded store's folder (default: the target's embedded_dir)")
	return cmd
}

// planOutput is `runner plan -json`.
type planOutput struct {
	Plan    *plan.Plan  `json:"plan"`
	Preview *preview    `json:"preview"`
	Target  targetState `json:"target"`
	Actions []string    `json:"actions"`
}

// targetState is what the target holds now, as far as plan could tell.
type targetState struct {
	Name    string           `json:"name"`
	State   *mongosink.State `json:"state,omitempty"`
	Problem string           `json:"problem,omitempty"`
}

func describeTarget(ctx context.Context, p *plan.Plan, storeDir string, a *app) targetState {
	ts := targetState{Name: targetName(p, storeDir)}
	ctx, cancel := context.WithTimeout(ctx, describeTimeout)
	defer cancel()
	t, err := openTarget(ctx, p, storeDir, a.logger, nil)
	if err != nil {
		ts.Problem = err.Error()
		return ts
	}
	defer t.close(context.WithoutCancel(ctx))
	state, err := t.sink.Describe(ctx)
	if err != nil {
		ts.Problem = err.Error()
		return ts
	}
	ts.State = &state
	return ts
}

// targetActions says in words what apply will do to the target.
func targetActions(p *plan.Plan, ts targetState) []string {
	t := p.Target
	ns := t.Database + "." + t.Collection
	var now string
	switch {
	case ts.State == nil:
		now = "its current content is unknown (" + ts.Problem + ")"
	case !ts.State.Exists:
		now = ns + " does not exist yet and will be created"
	default:
		now = fmt.Sprintf("%s holds about %s documents now", ns, report.Thousands(ts.State.EstimatedCount))
	}
	var actions []string
	if st := ts.State; st != nil && st.InterruptedSwap {
		actions = append(actions, "first repair the swap an earlier run left half done, putting the collection it had set aside back in place")
	}
	if st := ts.State; st != nil && st.LeftoverStaging && t.Mode == plan.ModeReplace {
		actions = append(actions, "drop the staging collections interrupted earlier runs left behind")
	}
	switch t.Mode {
	case plan.ModeReplace:
		actions = append(actions, fmt.Sprintf("load every document into a staging collection of this run, %s__runner_staging_<run>, %d writers, %d documents per bulk write", t.Collection, t.Writers, t.BatchDocs))
		if len(t.Indexes) > 0 {
			actions = append(actions, "create indexes "+indexNames(t.Indexes)+" on the staging collection")
		}
		if inDatabaseCheck(p) != nil {
			actions = append(actions, "verify the staging collection against what was sent")
		}
		actions = append(actions, "swap the staging collection in for "+ns+"; "+now+", and will be replaced")
		actions = append(actions, "if anything fails, drop the staging collection and leave "+ns+" as it was")
	case plan.ModeAppend:
		if hasErrorChecks(p) {
			actions = append(actions, "read the source once to run every check before writing anything")
		}
		actions = append(actions, "insert documents whose _id is not in "+ns+" yet, leaving those already there as they are; "+now)
		if len(t.Indexes) > 0 {
			actions = append(actions, "create indexes "+indexNames(t.Indexes)+" if missing")
		}
	case plan.ModeUpsert:
		if hasErrorChecks(p) {
			actions = append(actions, "read the source once to run every check before writing anything")
		}
		actions = append(actions, "replace documents of "+ns+" with the same _id and insert the others; "+now)
		if len(t.Indexes) > 0 {
			actions = append(actions, "create indexes "+indexNames(t.Indexes)+" if missing")
		}
	}
	return actions
}

func indexNames(indexes []plan.Index) string {
	names := make([]string, len(indexes))
	for i, ix := range indexes {
		names[i] = ix.Name
	}
	return strings.Join(names, ", ")
}

func renderPlan(w io.Writer, file string, p *plan.Plan, pv *preview, ts targetState) {
	fmt.Fprintf(w, "Pipeline %q (%s)", p.Name, file)
	if p.Description != "" {
		fmt.Fprintf(w, ": %s", p.Description)
	}
	fmt.Fprintln(w)
	for _, v := range p.Variables {
		fmt.Fprintf(w, "  var.%s = %s (%s)\n", v.Name, v.Value, v.Origin)
	}
	fmt.Fprintln(w, "\nStages")
	var previous []plan.Field
	for i, s := range p.Stages {
		fmt.Fprintf(w, "  %d. %-15s %s\n", i+1, s.ID, s.Summary)
		switch {
		case len(s.Output) == 0 || s.Kind == plan.StageDocument:
		case slices.Equal(s.Output, previous):
			fmt.Fprintf(w, "     %-15s the same columns\n", "→")
		default:
			fmt.Fprint(w, wrap(fieldList(s.Output), "     →               ", "                     ", 100))
		}
		previous = s.Output
	}
	for _, s := range p.Stages {
		if s.Kind != plan.StageDocument {
			continue
		}
		fmt.Fprintln(w, "\nDocument schema")
		for _, f := range s.Output {
			arrow, _ := stages.ArrowType(f.Type, 0)
			null := ""
			if f.Nullable {
				null = ", may be null"
			}
			fmt.Fprintf(w, "  %-28s %s (%s%s)\n", f.Name, f.Type, arrow, null)
		}
	}
	fmt.Fprintf(w, "\nSample documents from %s (%d rows in the first batch, %d rejected)\n", strings.Join(pv.Files[:1], ""), pv.Rows, pv.Rejects)
	for _, s := range pv.Samples {
		fmt.Fprintf(w, "  line %d:\n%s\n", s.Line, indent(s.JSON, "    "))
	}
	fmt.Fprintf(w, "\nTarget %s.%s on %s (%s)\n", p.Target.Database, p.Target.Collection, ts.Name, p.Target.Mode)
	for _, a := range targetActions(p, ts) {
		fmt.Fprintf(w, "  - %s\n", a)
	}
}

func fieldList(fields []plan.Field) string {
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = f.Name + " " + f.Type.String()
	}
	return strings.Join(parts, ", ")
}

// wrap breaks a comma-separated list into lines of at most width
// characters, the first starting with first and the others with rest.
func wrap(list, first, rest string, width int) string {
	var b strings.Builder
	line := first
	for i, item := range strings.Split(list, ", ") {
		if i > 0 {
			item = ", " + item
			if len(line)+len(item) > width {
				b.WriteString(line + ",\n")
				line = rest + item[2:]
				continue
			}
		}
		line += item
	}
	b.WriteString(line + "\n")
	return b.String()
}

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}
