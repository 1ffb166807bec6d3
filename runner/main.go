package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"runner/schemas"
)

// version is set at build time (make build) with -ldflags "-X".
var version = "dev"

// app is what every command shares: where output goes and how the
// environment is read, so tests can run Main without touching the process.
type app struct {
	stdout, stderr io.Writer
	lookupEnv      func(string) (string, bool)
	readFile       func(string) ([]byte, error)
	// terminal says stderr is a terminal: progress bars and colour.
	terminal bool
	// logger receives the embedded store's own log: errors only, since its
	// warnings (commands the driver tries and the store lacks) say nothing
	// a user can act on.
	logger *slog.Logger
	// cleanup bounds what a stopped run still does to leave the target as
	// it was; it outlives the run's own context.
	cleanup context.Context
	// swapStepDone, when set, is called after each step of apply's
	// three-step swap: tests stop the process there.
	swapStepDone func(step int)
}

// Main runs the command line (args without the program name) and returns
// the process's exit code. Cancelling ctx stops the run, which then drops
// what it created; cancelling cleanup abandons that too (see Interrupts).
func Main(ctx, cleanup context.Context, args []string, stdout, stderr io.Writer) int {
	return newApp(cleanup, stdout, stderr).main(ctx, args)
}

// newApp is the command line writing to stdout and stderr, reading the
// process's environment and files.
func newApp(cleanup context.Context, stdout, stderr io.Writer) *app {
	a := &app{stdout: stdout, stderr: stderr, lookupEnv: os.LookupEnv, readFile: schemas.ReadFileBounded,
		terminal: isTerminal(stderr), cleanup: cleanup}
	a.logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	return a
}

// main runs the command line and returns the exit code.
func (a *app) main(ctx context.Context, args []string) int {
	root := a.rootCommand()
	root.SetArgs(longFlags(args))
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	err := root.ExecuteContext(ctx)
	var e *exitError
	if err != nil && !(errors.As(err, &e) && e.err == nil) {
		fmt.Fprintf(a.stderr, "Error: %s\n", err)
	}
	return codeOf(err)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// singleDashFlags are the long flags people write with one dash, as in
// Terraform (`-var name=value`, `-check`); the flag library wants two.
var singleDashFlags = []string{"var", "var-file", "sensitive-var", "json", "check", "dry-run", "store-dir", "listen", "rows", "seed", "out", "force", "name", "cpuprofile", "memprofile"}

// longFlags rewrites `-var x=1` and `-var=x=1` into their two-dash form.
func longFlags(args []string) []string {
	out := make([]string, len(args))
	for i, arg := range args {
		out[i] = arg
		if !strings.HasPrefix(arg, "-") || strings.HasPrefix(arg, "--") {
			continue
		}
		name, _, _ := strings.Cut(arg[1:], "=")
		for _, f := range singleDashFlags {
			if name == f {
				out[i] = "-" + arg
				break
			}
		}
	}
	return out
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "runner",
		Short: "Migrate CSV files into MongoDB as declared in a pipeline file",
		Long: `runner reads a pipeline file (.hcl) that declares where rows come from, how each
column is cast and cleaned, which rows are duplicates, what document each row
becomes, and which checks must hold; it then streams the rows into MongoDB,
verifies what landed, and writes reports. Without a MongoDB URI it uses an
embedded store under .runner/.`,
		Example: `  runner validate pipelines/healthcare.hcl
  runner plan pipelines/healthcare.hcl -var csv_path=data/admissions.csv
  runner apply pipelines/healthcare.hcl
  MONGO_URI='mongodb://writer:...@db:27017/?authSource=medical_records' runner apply pipelines/healthcare.hcl`,
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return withCode(ExitInvalid, err) })
	root.AddCommand(a.validateCommand(), a.planCommand(), a.applyCommand(), a.fmtCommand(),
		a.initCommand(), a.serveCommand(), a.generateCommand())
	return root
}

// exactArgs is cobra.ExactArgs with the exit code of a usage mistake.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := cobra.ExactArgs(n)(cmd, args); err != nil {
			return withCode(ExitInvalid, fmt.Errorf("%w\n\n%s", err, cmd.UseLine()))
		}
		return nil
	}
}
