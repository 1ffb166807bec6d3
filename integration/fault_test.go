package integration

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"runner/stages/report"
)

const (
	// faultTimeout is the pipeline's timeout in the failure scenarios:
	// short, so that they take seconds, and still ample for a healthy
	// server.
	faultTimeout = 5 * time.Second
	// faultMargin is what runner may need beyond its timeout to give up:
	// its cleanup's attempt to drop the staging collection, which a dead
	// server also gets the timeout to answer, closing the connection and
	// writing the reports.
	faultMargin = 15 * time.Second
)

// TestDatabaseFailsMidLoad makes the database fail while a replace load is
// writing its staging collection — stopped, hung, or cut off from the
// network. runner must give up within its timeout with a message saying so,
// the collection must keep the previous run's documents, and a re-run must
// complete once the database is back. Each kind has a server of its own,
// so the three run at once: most of their time is spent waiting out the
// timeout.
func TestDatabaseFailsMidLoad(t *testing.T) {
	for _, kind := range []faultKind{faultStopped, faultPaused, faultDisconnected} {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			if suite.kind == targetURI {
				t.Skip("MONGO_URI names a server this suite does not control: it cannot stop, pause or disconnect it")
			}
			srv := startServer(t)
			inject, restore := srv.ctl.fault(t, kind)
			w := newWorkspace(t, srv)
			pipeline := w.pipeline(settings{timeout: faultTimeout.String()})

			old, _ := w.generate("previous.csv", 1_000, 31)
			requireSucceeded(t, w.apply(pipeline, old, srv.runnerURI(t)))
			before := srv.contents(t, srv.collection)

			data, sum := w.generate("admissions.csv", srv.bigRows, 32)
			r := w.start(pipeline, data, srv.runnerURI(t))
			srv.waitForDocuments(t, r, func(name string) bool { return isStaging(srv.collection, name) })
			// The clock starts when the database is down: a stopped server
			// first finishes its clean shutdown.
			inject(t)
			down := time.Now()
			a := r.wait(faultTimeout + faultMargin + time.Minute)
			took := time.Since(down)
			restore(t)
			t.Logf("runner exited %s after the database was %s: %s", took.Round(100*time.Millisecond), kind, a.report.Error)

			require.Equal(t, exitRuntime, a.code, "%s", a)
			require.Equal(t, report.StatusFailed, a.report.Status)
			require.LessOrEqual(t, took, faultTimeout+faultMargin,
				"runner took %s to give up on a %s database, with a timeout of %s", took, kind, faultTimeout)
			// A clear message: the one line a user reads names the database
			// server; no panic or goroutine dump.
			require.Contains(t, a.stderr, "Error: ")
			require.Contains(t, a.report.Error, "MongoDB at ")
			require.NotContains(t, a.stderr, "panic")
			require.NotContains(t, a.stderr, "goroutine ")

			requireSameDocuments(t, before, srv.contents(t, srv.collection), "after the failed load")

			again := w.apply(pipeline, data, srv.runnerURI(t))
			requireSucceeded(t, again)
			require.Equal(t, int64(sum.Rows-sum.ExactDuplicates), srv.contents(t, srv.collection).count)
			// A hung server runs the writes the failed run left queued once
			// it resumes, and they may recreate that run's own staging
			// collection (never the re-run's: each run has its own); the
			// next run drops it. Nothing else may be left.
			for _, name := range srv.collections(t) {
				require.True(t, name == srv.collection || (kind == faultPaused && isStaging(srv.collection, name)),
					"%s is left over after the re-run", name)
			}
		})
	}
}
