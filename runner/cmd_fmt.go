package runner

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"runner/schemas"
)

func (a *app) fmtCommand() *cobra.Command {
	var check bool
	cmd := &cobra.Command{
		Use:   "fmt [-check] [FILE or DIR ...]",
		Short: "Rewrite pipeline files in the canonical format",
		Long: `fmt rewrites .hcl pipeline files in the canonical layout (indentation, aligned
equals signs, spacing). Folders are searched for .hcl files; the default is the
current folder. With -check nothing is written: the files that would change are
listed and the exit code is 1 if there are any (for CI). A file that does not
parse is reported with exit code 2.`,
		Example: `  runner fmt pipelines/
  runner fmt -check pipelines/`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = []string{"."}
			}
			files, err := hclFiles(args)
			if err != nil {
				return withCode(ExitInvalid, err)
			}
			changed, invalid := 0, false
			for _, path := range files {
				src, err := a.readFile(path)
				var big *schemas.FileTooLargeError
				if errors.As(err, &big) {
					return withCode(ExitInvalid, err)
				}
				if err != nil {
					return err
				}
				out, diags := schemas.Format(path, src)
				if diags.HasErrors() {
					invalid = true
					if err := a.printDiagnostics(map[string][]byte{path: src}, diags, false); err != nil {
						return err
					}
					continue
				}
				if bytes.Equal(out, src) {
					continue
				}
				changed++
				fmt.Fprintln(a.stdout, path)
				if check {
					continue
				}
				info, err := os.Stat(path)
				if err != nil {
					return err
				}
				if err := os.WriteFile(path, out, info.Mode().Perm()); err != nil {
					return fmt.Errorf("rewrite %s: %w", path, err)
				}
			}
			switch {
			case invalid:
				return reported(ExitInvalid)
			case check && changed > 0:
				return withCode(ExitCheckFailed, fmt.Errorf("%s not formatted; run `runner fmt` to fix", count(changed, "file")))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&check, "check", false, "list the files that are not formatted and exit 1 if any; write nothing")
	return cmd
}

// hclFiles expands folders into the .hcl files below them, skipping hidden
// folders (.git, .runner).
func hclFiles(args []string) ([]string, error) {
	var files []string
	for _, arg := range args {
		info, err := os.Stat(arg)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			files = append(files, arg)
			continue
		}
		err = filepath.WalkDir(arg, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && path != arg && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			if !d.IsDir() && strings.HasSuffix(path, ".hcl") {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return files, nil
}
