package runner

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"

	"github.com/spf13/cobra"

	"runner/stages/embedded"
	"runner/stages/mongosink"
)

func (a *app) serveCommand() *cobra.Command {
	var listen, storeDir string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Expose the embedded store so mongosh or Compass can look at the data",
		Long: `serve starts the embedded MongoDB-compatible store on the given address, so
that mongosh, Compass or any MongoDB driver can read what apply loaded. It
listens on loopback unless told otherwise, and runs until interrupted. Only one
process may use a store folder at a time: stop serve before running apply on
the same folder. As it starts, serve repairs what stopped runs left (an
interrupted swap, a staging collection) and prints a line for each repair.

The store is FerretDB v1 on SQLite: good for trying runner and for looking at
what landed, not for analysis. Some aggregations answer wrongly without an
error, some operators are missing, and range queries scan; serve prints the
list when it starts. For analysis, load MongoDB (make up).`,
		Example: `  runner serve
  mongosh mongodb://127.0.0.1:27017/medical_records
  runner serve -listen 0.0.0.0:27017 -store-dir /data   # inside a container`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, set := os.LookupEnv("GOGC"); !set {
				debug.SetGCPercent(embedded.HostGCPercent)
			}
			if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
				debug.SetMemoryLimit(embedded.HostMemoryAllowance)
			}
			store, err := embedded.Start(cmd.Context(), embedded.Options{Dir: storeDir, Listen: listen, Logger: a.logger})
			if err != nil {
				return err
			}
			// No run can be using the store yet (its lock), so whatever
			// a dead run left is repaired before anyone reads it.
			recovered, err := mongosink.RecoverStore(cmd.Context(), store.URI())
			for _, line := range recovered {
				fmt.Fprintln(a.stdout, line)
			}
			if err != nil {
				return errors.Join(fmt.Errorf("recovering what stopped runs left in the embedded store in %s: %w", storeDir, err), store.Close())
			}
			a.serveBanner(store, storeDir)
			<-cmd.Context().Done()
			return store.Close()
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:27017", "the TCP address to listen on")
	cmd.Flags().StringVar(&storeDir, "store-dir", ".runner", "the embedded store's folder")
	return cmd
}

// serveBanner says where the store listens, as its listener reports it, how
// to connect, and what the store is and is not good for; on stderr it warns
// when other machines can reach it.
func (a *app) serveBanner(store *embedded.Store, storeDir string) {
	fmt.Fprintf(a.stdout, "embedded store in %s listening on %s\n", storeDir, store.ListenAddr())
	fmt.Fprintf(a.stdout, "connect with: mongosh %s\n", store.URI())
	if store.ListensBeyondLoopback() {
		fmt.Fprintf(a.stdout, "  (from another machine, put this machine's name or address in place of the host)\n")
		fmt.Fprintf(a.stderr, "Warning: the embedded store has no authentication and no TLS, and it listens on %s beyond loopback: "+
			"anyone who can reach that address can read, change and delete everything in it, and the traffic is not encrypted. "+
			"Listen on 127.0.0.1 unless the network is trusted.\n", store.ListenAddr())
	}
	fmt.Fprintln(a.stdout)
	fmt.Fprintln(a.stdout, "This store (FerretDB v1 on SQLite) is for trying runner and for looking at")
	fmt.Fprintln(a.stdout, "what apply loaded. It is not MongoDB, and queries read through it can be")
	fmt.Fprintln(a.stdout, "wrong or refused:")
	for _, l := range embedded.Limitations() {
		fmt.Fprintf(a.stdout, "  - %s\n", l)
	}
	fmt.Fprintln(a.stdout, "To analyse the data, load MongoDB: make up starts it with Docker Compose")
	fmt.Fprintln(a.stdout, "(docker-compose.yml); then run apply with MONGO_URI set (docs/operations.md).")
	fmt.Fprintln(a.stdout)
	fmt.Fprintln(a.stdout, "stop with Ctrl-C")
}
