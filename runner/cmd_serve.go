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
interrupted swap, a staging collection) and prints a line for each repair.`,
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
			fmt.Fprintf(a.stdout, "embedded store in %s listening on %s\nconnect with: mongosh %s\nstop with Ctrl-C\n", storeDir, store.URI(), store.URI())
			<-cmd.Context().Done()
			return store.Close()
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:27017", "the TCP address to listen on")
	cmd.Flags().StringVar(&storeDir, "store-dir", ".runner", "the embedded store's folder")
	return cmd
}
