package runner

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// Interrupts turns SIGINT and SIGTERM into the two contexts Main takes: the
// first signal cancels ctx, which stops the run and lets it drop what it
// created; a second cancels cleanup, which abandons that clean-up (the run
// then says what it left). stop restores the default handling.
func Interrupts() (ctx, cleanup context.Context, stop func()) {
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	ctx, cleanup, release := escalate(signals)
	return ctx, cleanup, func() {
		signal.Stop(signals)
		release()
	}
}

// escalate cancels ctx at the first value received from signals and
// cleanup at the second.
func escalate(signals <-chan os.Signal) (ctx, cleanup context.Context, release func()) {
	ctx, cancelRun := context.WithCancel(context.Background())
	cleanup, cancelCleanup := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		for _, cancel := range []context.CancelFunc{cancelRun, cancelCleanup} {
			select {
			case <-signals:
				cancel()
			case <-done:
				return
			}
		}
	}()
	return ctx, cleanup, func() {
		close(done)
		cancelRun()
		cancelCleanup()
	}
}
