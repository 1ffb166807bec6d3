package mongosink

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"testing"

	"runner/stages/embedded"
)

// testStore is the embedded store every test of the package writes to,
// each in its own database, and storeURI its address. Set once by TestMain.
var (
	testStore *embedded.Store
	storeURI  string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
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
