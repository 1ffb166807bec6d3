package runner

import (
	"fmt"

	"github.com/spf13/cobra"

	"runner/schemas/diag"
)

func (a *app) validateCommand() *cobra.Command {
	var f pipelineFlags
	cmd := &cobra.Command{
		Use:   "validate FILE",
		Short: "Check a pipeline file without reading any data",
		Long: `validate parses and compiles a pipeline file: every block, reference, type and
expression. It reads no data and connects to nothing. Every problem is reported
at once, with the file, line and column, and what would be right.
Exit code 0 when the file is valid, 2 when it is not.`,
		Example: `  runner validate pipelines/healthcare.hcl
  runner validate pipelines/healthcare.hcl -json`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := a.load(args[0], f)
			if err != nil {
				return err
			}
			if f.json {
				return a.printJSON(diag.JSON(l.diags, l.loader.Sources()))
			}
			p := l.plan
			fmt.Fprintf(a.stdout, "%s is valid: pipeline %q, %s, %s, target %s.%s (%s).\n", args[0], p.Name,
				count(len(p.Columns), "column"), count(len(p.Checks), "check"), p.Target.Database, p.Target.Collection, p.Target.Mode)
			return nil
		},
	}
	f.register(cmd)
	return cmd
}
