package runner

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runner/stages/report"

	"github.com/spf13/cobra"

	"runner/stages/sample"
)

func (a *app) generateCommand() *cobra.Command {
	var rows int
	var seed uint64
	var out string
	var force bool
	cmd := &cobra.Command{
		Use:   "generate",
		Short: "Write deterministic healthcare-like sample data",
		Long: `generate writes a hospital-admissions CSV with the same header, value domains
and dirt as real exports (random letter case in names, honorifics and suffixes,
dangling "and" and commas in hospital names, about 1% exact duplicates,
near-duplicates that differ only in age, a few negative amounts). The same rows
and seed always give the same bytes, so runs and benchmarks are reproducible.`,
		Example: `  runner generate -out data/healthcare_dataset.csv
  runner generate -rows 5550000 -seed 7 -out /tmp/big.csv`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := os.Stat(out); err == nil && !force {
				return withCode(ExitInvalid, fmt.Errorf("%s exists; pass -force to overwrite it", out))
			}
			if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
				return err
			}
			f, err := os.Create(out)
			if err != nil {
				return err
			}
			w := bufio.NewWriterSize(f, 1<<20)
			summary, err := sample.Write(w, sample.Options{Rows: rows, Seed: seed})
			if err = errors.Join(err, w.Flush(), f.Close()); err != nil {
				return fmt.Errorf("write %s: %w", out, err)
			}
			fmt.Fprintf(a.stdout, "wrote %s: %s rows (%s exact duplicates, %s near-duplicates, %s negative amounts)\n",
				out, report.Thousands(int64(summary.Rows)), report.Thousands(int64(summary.ExactDuplicates)),
				report.Thousands(int64(summary.NearDuplicates)), report.Thousands(int64(summary.NegativeAmounts)))
			return nil
		},
	}
	cmd.Flags().IntVar(&rows, "rows", 55500, "how many rows")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "the random seed")
	cmd.Flags().StringVar(&out, "out", "data/healthcare_dataset.csv", "the file to write")
	cmd.Flags().BoolVar(&force, "force", false, "overwrite the file if it exists")
	return cmd
}
