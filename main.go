// Command runner migrates CSV files into MongoDB as described by declarative
// pipeline files. See README.md and docs/.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"runner/runner"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := runner.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
