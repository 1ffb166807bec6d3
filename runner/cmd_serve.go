package runner

import (
	"fmt"
	"os"
	"runtime/debug"

	"github.com/spf13/cobra"

	"runner/stages/embedded"
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
the same folder.`,
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
			fmt.Fprintf(a.stdout, "embedded store in %s listening on %s\nconnect with: mongosh %s\nstop with Ctrl-C\n", storeDir, store.URI(), store.URI())
			<-cmd.Context().Done()
			return store.Close()
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:27017", "the TCP address to listen on")
	cmd.Flags().StringVar(&storeDir, "store-dir", ".runner", "the embedded store's folder")
	return cmd
}
