// Package runner is the command line and the orchestration: it loads a
// pipeline file through schemas, executes the plan with the stages, and
// renders what happened for people (terminal, cleaning.md) and machines
// (--json, run.json).
//
// Main is the only entry point; main.go calls it and is the only caller of
// os.Exit. Exit codes: 0 the run succeeded, 1 a check with severity error
// (or the rejects limit) failed, 2 the pipeline file or the command line is
// wrong, 3 anything else went wrong at run time (the database, the files,
// a cancellation), and also a run whose data landed but whose reports could
// not be written, with a message that says the data landed.
package runner
