package runner

import (
	"os"
	"syscall"
	"testing"
)

// TestSignalsEscalate: the first signal stops the run and leaves the
// clean-up alone; the second abandons the clean-up.
func TestSignalsEscalate(t *testing.T) {
	signals := make(chan os.Signal)
	ctx, cleanup, release := escalate(signals)
	defer release()
	if ctx.Err() != nil || cleanup.Err() != nil {
		t.Fatal("a context ended before any signal")
	}
	signals <- syscall.SIGTERM
	<-ctx.Done()
	if cleanup.Err() != nil {
		t.Fatal("the first signal abandoned the clean-up")
	}
	signals <- os.Interrupt
	<-cleanup.Done()
	if ctx.Err() == nil {
		t.Error("the run's context survived both signals")
	}
}
