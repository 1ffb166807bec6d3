package mongosink

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"testing"

	"runner/stages/embedded"
	"runner/stages/plan"
)

// storeURI is the server every test of the package writes to, each in its
// own database: MONGO_URI when it is set, so that the same suite proves the
// sink against a real MongoDB, else the embedded store testStore (nil with
// MONGO_URI). Set once by TestMain.
var (
	testStore *embedded.Store
	storeURI  string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if uri := os.Getenv("MONGO_URI"); uri != "" {
		fmt.Fprintf(os.Stderr, "mongosink: testing against MONGO_URI %s\n", plan.RedactURI(uri))
		storeURI = uri
		return m.Run()
	}
	fmt.Fprintln(os.Stderr, "mongosink: testing against the embedded store (set MONGO_URI for a real MongoDB)")
	dir, err := os.MkdirTemp("", "mongosink-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	// The proxy tests break connections on purpose; FerretDB's warnings
	// about them would only clutter the output.
	store, err := embedded.Start(context.Background(), embedded.Options{Dir: dir, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer store.Close()
	testStore, storeURI = store, store.URI()
	return m.Run()
}
