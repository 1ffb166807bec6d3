// Command runner migrates CSV files into MongoDB as described by declarative
// pipeline files. See README.md and docs/.
package main

import (
	"os"

	"runner/runner"
)

func main() {
	ctx, cleanup, stop := runner.Interrupts()
	code := runner.Main(ctx, cleanup, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
