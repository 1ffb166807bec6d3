package runner

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/spf13/cobra"

	"runner/schemas"
	"runner/stages/cast"
	"runner/stages/csvsource"
)

// inferRows is how many rows init reads to infer each column's type.
const inferRows = 1000

func (a *app) initCommand() *cobra.Command {
	var out, name string
	var force bool
	cmd := &cobra.Command{
		Use:   "init DATA.csv",
		Short: "Write a starting pipeline for a CSV file, with inferred column types",
		Long: `init reads the header and the first 1,000 rows of a CSV file, infers each
column's type (int32, int64, float64, bool, date, timestamp or string), and
writes a complete starting pipeline: one column per field, exact-duplicate
removal, a flat document, the embedded store as target, and an in-database
check. Review the types, the cleaning and the document shape, then run plan.`,
		Example: `  runner init data/admissions.csv
  runner init data/admissions.csv -out pipelines/admissions.hcl -name admissions`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			csvPath := args[0]
			if name == "" {
				name = snakeName(strings.TrimSuffix(filepath.Base(csvPath), filepath.Ext(csvPath)))
			}
			if out == "" {
				out = name + ".hcl"
			}
			if _, err := os.Stat(out); err == nil && !force {
				return withCode(ExitInvalid, fmt.Errorf("%s exists; choose another -out or pass -force to overwrite it", out))
			}
			fields, err := inferFields(cmd, csvPath)
			if err != nil {
				return err
			}
			src := schemas.Scaffold(schemas.ScaffoldSpec{Name: name, CSVPath: csvPath, Fields: fields})
			if err := os.WriteFile(out, src, 0o644); err != nil {
				return fmt.Errorf("write %s: %w", out, err)
			}
			fmt.Fprintf(a.stdout, "wrote %s: %s from %s. Review the types, cleaning and document, then run:\n  runner plan %s\n",
				out, count(len(fields), "column"), csvPath, out)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "the pipeline file to write (default: NAME.hcl)")
	cmd.Flags().StringVar(&name, "name", "", "the pipeline's name, also its database and collection (default: from the file name)")
	cmd.Flags().BoolVar(&force, "force", false, "overwrite the pipeline file if it exists")
	return cmd
}

// inferFields reads the first rows of a CSV file and infers every field's
// type from its non-empty values.
func inferFields(cmd *cobra.Command, path string) ([]schemas.ScaffoldField, error) {
	cfg := csvsource.Config{Paths: []string{path}, Header: true, Delimiter: ',', Quote: '"', BatchRows: inferRows}
	header, err := csvsource.ReadHeader(path, cfg)
	if err != nil {
		return nil, err
	}
	cfg.Select = header
	reader, err := csvsource.Open(cmd.Context(), cfg, memory.NewGoAllocator())
	if err != nil {
		return nil, err
	}
	defer reader.Close()
	values := make([][]string, len(header))
	if reader.Next() {
		batch := reader.RecordBatch()
		for i := range header {
			col := batch.Column(i).(*array.String)
			for r := 0; r < col.Len(); r++ {
				if col.IsValid(r) {
					values[i] = append(values[i], col.Value(r))
				}
			}
		}
	}
	if err := reader.Err(); err != nil {
		return nil, err
	}
	if len(header) == 0 {
		return nil, errors.New(path + ": no fields in the header")
	}
	fields := make([]schemas.ScaffoldField, len(header))
	for i, h := range header {
		t, layout := cast.Infer(values[i])
		fields[i] = schemas.ScaffoldField{Header: h, Type: t, Format: layout}
	}
	return fields, nil
}

// snakeName turns a file name into a pipeline name: lower case, words
// joined by underscores.
func snakeName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "_"):
			b.WriteByte('_')
		}
	}
	name := strings.TrimSuffix(b.String(), "_")
	if name == "" || (name[0] >= '0' && name[0] <= '9') {
		name = "data_" + name
	}
	return name
}
