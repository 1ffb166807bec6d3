package embedded

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	// The SQLite driver FerretDB itself uses; imported here to read the
	// store's files directly.
	_ "modernc.org/sqlite"
)

// FerretDB's storage layout: one SQLite file per database, a metadata table
// mapping collection names to table names (a rename changes only the
// mapping), and one JSON text column per document.
const (
	collectionsTable = "_ferretdb_collections"
	documentColumn   = "_ferretdb_sjson"
)

// Scan calls fn with every document of a collection, read straight from the
// store's SQLite files as the BSON the server would send for it; doc is
// valid until fn returns. A collection that does not exist has no
// documents.
//
// It sees every write the store has acknowledged (SQLite's WAL gives the
// read a snapshot of the committed transactions), and costs a few
// microseconds a document where a find through the server costs tens, so
// that a load can be verified in full in a fraction of its own time.
func (s *Store) Scan(ctx context.Context, database, collection string, fn func(doc []byte) error) error {
	path := filepath.Join(s.dir, database+".sqlite")
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil // the database was never written to
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: url.Values{
		"mode": {"ro"}, "_pragma": {"busy_timeout(10000)"}}.Encode()}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		return fmt.Errorf("reading %s.%s from the store: %w", database, collection, err)
	}
	defer db.Close()
	// One connection: a single read transaction sees one snapshot.
	db.SetMaxOpenConns(1)

	var table string
	err = db.QueryRowContext(ctx, `SELECT table_name FROM "`+collectionsTable+`" WHERE name = ?`, collection).Scan(&table)
	switch {
	case errors.Is(err, sql.ErrNoRows) || (err != nil && strings.Contains(err.Error(), "no such table")):
		return nil
	case err != nil:
		return fmt.Errorf("reading %s.%s from the store: %w", database, collection, err)
	}
	rows, err := db.QueryContext(ctx, `SELECT "`+documentColumn+`" FROM "`+strings.ReplaceAll(table, `"`, `""`)+`"`)
	if err != nil {
		return fmt.Errorf("reading %s.%s from the store: %w", database, collection, err)
	}
	defer rows.Close()
	reader := newSJSONReader()
	var doc []byte
	for rows.Next() {
		var row sql.RawBytes
		if err := rows.Scan(&row); err != nil {
			return fmt.Errorf("reading %s.%s from the store: %w", database, collection, err)
		}
		if doc, err = reader.appendBSON(doc[:0], row); err != nil {
			return fmt.Errorf("reading %s.%s from the store: %w", database, collection, err)
		}
		if err := fn(doc); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading %s.%s from the store: %w", database, collection, err)
	}
	return nil
}
