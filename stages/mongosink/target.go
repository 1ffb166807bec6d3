package mongosink

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"

	"runner/stages/plan"
)

// Defaults for the zero values of Config.
const (
	DefaultBatchDocs  = 1000
	DefaultBatchBytes = 16 << 20
	DefaultWriters    = 2
	DefaultTimeout    = 30 * time.Second
	DefaultAppName    = "runner"
)

// maxBatchBytes keeps a batch within MongoDB's 48 MB message limit, with
// room for the command around the documents.
const maxBatchBytes = 47 << 20

// Suffixes of the collections a replace run works with beside the target.
const (
	// stagingSuffix starts the name of every staging collection: each run
	// loads its own, <collection>__runner_staging_<run>, so that writes a
	// dead run left queued in a hung server can never land in the next
	// run's.
	stagingSuffix  = "__runner_staging"
	previousSuffix = "__runner_previous"
)

// ferretConnections is how many SQLite connections of a database an
// upsert bulk may hold on FerretDB: it opens at most 100, and a few are
// left for other commands.
const ferretConnections = 90

// MongoDB error codes the sink reacts to.
const (
	codeAuthenticationFailed = 18
	codeNamespaceNotFound    = 26
	codeNamespaceExists      = 48
	codeNotImplemented       = 238
)

// Config says where documents go and how they are written.
type Config struct {
	// URI is a MongoDB connection string. It may hold a password: it is
	// never printed except through plan.RedactURI.
	URI        string
	Database   string
	Collection string
	Mode       plan.Mode
	// BatchDocs and BatchBytes bound each bulk write (DefaultBatchDocs,
	// DefaultBatchBytes when zero); a document larger than BatchBytes is
	// sent alone.
	BatchDocs  int
	BatchBytes int
	// Writers is the number of bulk writes in flight (DefaultWriters).
	Writers      int
	WriteConcern plan.WriteConcern
	// SensitiveID says the _id is computed from sensitive values: errors
	// about a document show "(sensitive)" in its place.
	SensitiveID bool
	// Timeout bounds server selection and connecting, and how long a batch
	// may go on failing (or waiting for an answer) before the load fails
	// (DefaultTimeout).
	Timeout time.Duration
	TLS     plan.TLS
	// Indexes are created after the load: on the staging collection in
	// replace mode, so they are in place before the swap.
	Indexes []plan.Index
	// AppName is shown in the server's logs and currentOp (DefaultAppName).
	AppName string
	// Scan, when set, reads every document of a collection of the
	// database from the server's storage, as the BSON the server would send
	// (the embedded store offers it). Verify then streams through it instead
	// of a find, which on FerretDB costs more than the load did; the sample
	// is still read back through the server.
	Scan func(ctx context.Context, collection string, fn func(doc []byte) error) error
	// SwapStepDone, when set, is called after each step of the three-step
	// swap (SwapPreserved, SwapInstalled, SwapDropped): tests stop the
	// process there to prove that Recover handles every state between them.
	SwapStepDone func(step int)
}

func (c Config) withDefaults() Config {
	if c.BatchDocs <= 0 {
		c.BatchDocs = DefaultBatchDocs
	}
	if c.BatchBytes <= 0 {
		c.BatchBytes = DefaultBatchBytes
	}
	c.BatchBytes = min(c.BatchBytes, maxBatchBytes)
	if c.Writers <= 0 {
		c.Writers = DefaultWriters
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.AppName == "" {
		c.AppName = DefaultAppName
	}
	return c
}

func (c Config) validate() error {
	switch {
	case c.URI == "":
		return errors.New("no MongoDB URI given")
	case c.Database == "":
		return errors.New("no target database given")
	case c.Collection == "":
		return errors.New("no target collection given")
	case strings.ContainsAny(c.Database, `/\. "$`):
		return fmt.Errorf("database name %q may not contain / \\ . space \" or $", c.Database)
	case strings.Contains(c.Collection, "$") || strings.HasPrefix(c.Collection, "system."):
		return fmt.Errorf("collection name %q may not contain $ or start with \"system.\"", c.Collection)
	case int(c.Mode) >= len(plan.Modes):
		return fmt.Errorf("unknown mode %d", c.Mode)
	case c.WriteConcern.W == "0":
		return errors.New("write concern w=0 would not tell which documents were written; use 1 or majority")
	}
	return nil
}

// Target is a connection to the MongoDB deployment that holds the target
// collection.
type Target struct {
	cfg      Config
	client   *mongo.Client
	db       *mongo.Database
	redacted string
	secrets  []string
	server   serverInfo
}

// serverInfo is what the sink adapts to.
type serverInfo struct {
	// version is "MongoDB 7.0.12" or "FerretDB v1.24.0".
	version string
	// ferret is true for FerretDB: renameCollection has no dropTarget, $in
	// on _id and counts scan the whole collection, and NaN and decimal128
	// values are refused.
	ferret bool
}

// Connect connects to cfg.URI and checks, within cfg.Timeout, that the
// server answers, accepts the credentials and grants the user what the mode
// needs. Its errors never contain the password.
func Connect(ctx context.Context, cfg Config) (*Target, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("MongoDB target: %w", err)
	}
	t := &Target{cfg: cfg, redacted: plan.RedactURI(cfg.URI), secrets: plan.URISecrets(cfg.URI)}
	client, err := t.connect(ctx)
	if err != nil {
		return nil, t.scrub(err)
	}
	t.client = client
	t.db = client.Database(cfg.Database)
	if err := t.inspect(ctx); err != nil {
		return nil, t.scrub(errors.Join(err, t.disconnect(ctx)))
	}
	return t, nil
}

func (t *Target) connect(ctx context.Context) (*mongo.Client, error) {
	cfg := t.cfg
	opts := options.Client().ApplyURI(cfg.URI).
		SetServerSelectionTimeout(cfg.Timeout).
		SetConnectTimeout(cfg.Timeout).
		SetAppName(cfg.AppName).
		// The writers retry on their own, with a budget of Timeout, and
		// count what the server already holds; a second, hidden layer of
		// retries would blur that count.
		SetRetryWrites(false)
	if wc := writeConcernOf(cfg.WriteConcern); wc != nil {
		opts.SetWriteConcern(wc)
	}
	if cfg.TLS.Enabled {
		tlsCfg, err := tlsConfig(cfg.TLS)
		if err != nil {
			return nil, err
		}
		opts.SetTLSConfig(tlsCfg)
	}
	if err := t.refused(opts.Hosts); err != nil {
		return nil, err
	}
	client, err := mongo.Connect(opts)
	if err != nil {
		return nil, fmt.Errorf("the MongoDB URI %s is not valid: %w", t.redacted, err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	err = client.Ping(pingCtx, readpref.Primary())
	cancel()
	if err != nil {
		return nil, errors.Join(t.connectError(ctx, opts, err), client.Disconnect(context.WithoutCancel(ctx)))
	}
	return client, nil
}

// refusedWithin bounds the probe of refused: an address that neither
// accepts nor refuses by then is left to server selection.
const refusedWithin = 2 * time.Second

// refused fails at once when every host of the URI refuses TCP
// connections, where server selection would keep trying for the whole
// Timeout: nothing listens there, and waiting will not change it.
func (t *Target) refused(hosts []string) error {
	if len(hosts) == 0 {
		return nil // mongodb+srv: the hosts come from DNS
	}
	var last error
	for _, host := range hosts {
		if strings.Contains(host, "/") {
			return nil // a Unix socket
		}
		conn, err := net.DialTimeout("tcp", host, min(refusedWithin, t.cfg.Timeout))
		if err == nil {
			conn.Close()
			return nil
		}
		if !errors.Is(err, syscall.ECONNREFUSED) {
			return nil
		}
		last = err
	}
	return fmt.Errorf("cannot reach MongoDB at %s: %w — is the server running and the address right?", t.redacted, last)
}

// connectError explains a failed first contact with the server.
func (t *Target) connectError(ctx context.Context, opts *options.ClientOptions, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("connecting to MongoDB at %s: %w", t.redacted, context.Cause(ctx))
	}
	var se mongo.ServerError
	if (errors.As(err, &se) && se.HasErrorCode(codeAuthenticationFailed)) || strings.Contains(err.Error(), "auth error") {
		user := ""
		if opts.Auth != nil {
			user = opts.Auth.Username
		}
		return fmt.Errorf("MongoDB at %s refused the credentials of user %q: authentication failed — check the user name, password and authSource (%w)",
			t.redacted, user, err)
	}
	if hint := tlsHint(err, t.cfg.TLS, opts.TLSConfig != nil); hint != "" {
		return fmt.Errorf("TLS handshake with MongoDB at %s failed: %w — %s", t.redacted, err, hint)
	}
	return fmt.Errorf("cannot reach MongoDB at %s within %s: %w — is the server running and the address right?",
		t.redacted, t.cfg.Timeout, err)
}

// tlsHint says what to check when err comes from a TLS handshake, or "".
// A handshake that fails while the driver monitors the server is not in
// err's chain but in the last error of the server it was selecting.
func tlsHint(err error, cfg plan.TLS, tlsOn bool) string {
	causes := []error{err}
	var sel topology.ServerSelectionError
	if errors.As(err, &sel) {
		for _, s := range sel.Desc.Servers {
			if s.LastError != nil {
				causes = append(causes, s.LastError)
			}
		}
	}
	for _, cause := range causes {
		if hint := tlsHintFor(cause, cfg, tlsOn); hint != "" {
			return hint
		}
	}
	return ""
}

func tlsHintFor(err error, cfg plan.TLS, tlsOn bool) string {
	var (
		unknownAuthority x509.UnknownAuthorityError
		hostname         x509.HostnameError
		invalid          x509.CertificateInvalidError
		verification     *tls.CertificateVerificationError
		header           tls.RecordHeaderError
		alert            tls.AlertError
	)
	switch {
	case errors.As(err, &unknownAuthority), errors.As(err, &verification):
		if cfg.CAFile != "" {
			return fmt.Sprintf("the server's certificate is not signed by the CA in %s; check tls.ca_file", cfg.CAFile)
		}
		return "the server's certificate is not signed by a CA the system trusts; set tls.ca_file to the CA that signed it"
	case errors.As(err, &hostname):
		return "the server's certificate is for another host name; connect with the name the certificate holds"
	case errors.As(err, &invalid):
		return "the server's certificate is not valid (expired or not for servers); check it"
	case errors.As(err, &header):
		return "the server did not answer in TLS; is TLS enabled on the server?"
	case errors.As(err, &alert):
		if cfg.CertFile != "" {
			return fmt.Sprintf("the server refused the handshake; check the client certificate %s", cfg.CertFile)
		}
		return "the server refused the handshake; does it require a client certificate (tls.cert_file)?"
	case tlsOn && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)):
		// A server without TLS reads the client's hello as garbage and
		// hangs up.
		return "the server closed the connection during the TLS handshake; is TLS enabled on the server?"
	}
	return ""
}

// tlsConfig builds the client's TLS settings; errors name the file at fault.
func tlsConfig(cfg plan.TLS) (*tls.Config, error) {
	// Insecure is the pipeline's explicit, documented opt-out for test
	// servers with self-signed certificates.
	c := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: cfg.Insecure}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("reading the TLS CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("the TLS CA file %s holds no PEM certificate", cfg.CAFile)
		}
		c.RootCAs = pool
	}
	if cfg.CertFile != "" {
		keyFile := cfg.KeyFile
		if keyFile == "" {
			keyFile = cfg.CertFile
		}
		cert, err := tls.LoadX509KeyPair(cfg.CertFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("loading the TLS client certificate %s (key %s): %w", cfg.CertFile, keyFile, err)
		}
		c.Certificates = []tls.Certificate{cert}
	}
	return c, nil
}

func writeConcernOf(wc plan.WriteConcern) *writeconcern.WriteConcern {
	if wc.W == "" && !wc.Journal {
		return nil
	}
	out := &writeconcern.WriteConcern{}
	switch n, err := strconv.Atoi(wc.W); {
	case wc.W == "":
	case err == nil:
		out.W = n
	default:
		out.W = wc.W
	}
	if wc.Journal {
		j := true
		out.Journal = &j
	}
	return out
}

// inspect learns which server this is and checks the user's privileges.
func (t *Target) inspect(ctx context.Context) error {
	var info struct {
		Version  string `bson:"version"`
		FerretDB string `bson:"ferretdbVersion"`
	}
	if err := t.client.Database("admin").RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info); err != nil {
		return fmt.Errorf("asking MongoDB at %s for its version: %w", t.redacted, err)
	}
	t.server = serverInfo{version: "MongoDB " + info.Version}
	if info.FerretDB != "" {
		t.server = serverInfo{version: "FerretDB", ferret: true}
		if info.FerretDB != "unknown" { // as embedded builds say
			t.server.version += " " + info.FerretDB
		}
		if t.cfg.Mode == plan.ModeUpsert {
			// FerretDB runs every upsert statement as a transaction of
			// its own, so concurrent bulks only queue on SQLite's write
			// lock (polling with sleeps); and it keeps the connection of
			// every matched statement until the whole command is done,
			// with at most 100 per database, so a larger bulk would wait
			// for a connection forever.
			t.cfg.Writers = 1
			t.cfg.BatchDocs = min(t.cfg.BatchDocs, ferretConnections)
		}
	}
	return t.checkPrivileges(ctx)
}

// privilege is one entry of connectionStatus's authenticatedUserPrivileges.
type privilege struct {
	Resource struct {
		DB          *string `bson:"db"`
		Collection  *string `bson:"collection"`
		AnyResource bool    `bson:"anyResource"`
	} `bson:"resource"`
	Actions []string `bson:"actions"`
}

// grants reports whether p allows action on collection coll of db, or on
// the database itself when coll is "".
func (p privilege) grants(action, db, coll string) bool {
	if !slices.Contains(p.Actions, action) {
		return false
	}
	r := p.Resource
	if r.AnyResource {
		return true
	}
	if r.DB == nil || r.Collection == nil {
		return false // a cluster resource
	}
	if *r.DB != db && *r.DB != "" {
		return false
	}
	return *r.Collection == "" || (coll != "" && *r.Collection == coll)
}

// requiredAction is an action a mode needs, on the database (coll "") or
// on the target collection.
type requiredAction struct{ action, coll string }

func (t *Target) requiredActions() []requiredAction {
	coll := t.cfg.Collection
	var out []requiredAction
	if t.cfg.Mode == plan.ModeReplace {
		// The staging and previous collections are other collections of
		// the database, so replace needs its actions database-wide.
		coll = ""
		for _, a := range []string{"createCollection", "dropCollection", "renameCollectionSameDB"} {
			out = append(out, requiredAction{a, ""})
		}
	}
	out = append(out, requiredAction{"insert", coll}, requiredAction{"find", coll}, requiredAction{"listCollections", ""})
	if t.cfg.Mode == plan.ModeUpsert {
		out = append(out, requiredAction{"update", coll})
	}
	if len(t.cfg.Indexes) > 0 {
		out = append(out, requiredAction{"createIndex", coll})
	}
	return out
}

// checkPrivileges refuses, before any data moves, a user who lacks an
// action the mode needs. Servers that do not report privileges (FerretDB)
// and connections without authentication are not checked.
func (t *Target) checkPrivileges(ctx context.Context) error {
	var status struct {
		AuthInfo struct {
			Users []struct {
				User string `bson:"user"`
				DB   string `bson:"db"`
			} `bson:"authenticatedUsers"`
			Privileges []privilege `bson:"authenticatedUserPrivileges"`
		} `bson:"authInfo"`
	}
	cmd := bson.D{{Key: "connectionStatus", Value: 1}, {Key: "showPrivileges", Value: true}}
	if err := t.db.RunCommand(ctx, cmd).Decode(&status); err != nil {
		return fmt.Errorf("asking MongoDB at %s for the user's privileges: %w", t.redacted, err)
	}
	auth := status.AuthInfo
	if len(auth.Users) == 0 || auth.Privileges == nil {
		return nil
	}
	var missing []string
	for _, need := range t.requiredActions() {
		if !slices.ContainsFunc(auth.Privileges, func(p privilege) bool { return p.grants(need.action, t.cfg.Database, need.coll) }) {
			missing = append(missing, need.action)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("user %q at %s lacks what %s mode needs on database %q: %s — grant it the built-in role readWrite on %s",
		auth.Users[0].User, t.redacted, t.cfg.Mode, t.cfg.Database, strings.Join(missing, ", "), t.cfg.Database)
}

// State is what the target holds before a run, for `runner plan`.
type State struct {
	// Server is "MongoDB 7.0.12" or "FerretDB v1.24.0".
	Server     string `json:"server"`
	Database   string `json:"database"`
	Collection string `json:"collection"`
	Exists     bool   `json:"exists"`
	// EstimatedCount comes from collection metadata, not a scan.
	EstimatedCount int64       `json:"estimated_count"`
	Indexes        []IndexInfo `json:"indexes,omitempty"`
	// LeftoverStaging is a staging collection left by an interrupted run;
	// a replace run drops it.
	LeftoverStaging bool `json:"leftover_staging,omitempty"`
	// InterruptedSwap is set when a swap was interrupted between its
	// renames; Recover (run by apply and serve as they start) repairs it.
	InterruptedSwap bool `json:"interrupted_swap,omitempty"`
}

// IndexInfo describes an index of the target collection.
type IndexInfo struct {
	Name string `json:"name"`
	// Keys renders the key document: {patient.name: 1}.
	Keys   string `json:"keys"`
	Unique bool   `json:"unique,omitempty"`
}

// Describe reports what the target holds now.
func (t *Target) Describe(ctx context.Context) (State, error) {
	st := State{Server: t.server.version, Database: t.cfg.Database, Collection: t.cfg.Collection}
	names, err := t.collections(ctx)
	if err != nil {
		return st, t.scrub(err)
	}
	st.Exists = names[t.cfg.Collection]
	for name := range names {
		st.LeftoverStaging = st.LeftoverStaging || t.isStaging(name)
	}
	st.InterruptedSwap = names[t.previous()]
	if !st.Exists {
		return st, nil
	}
	if st.EstimatedCount, err = t.estimatedCount(ctx); err != nil {
		return st, t.scrub(err)
	}
	specs, err := t.db.Collection(t.cfg.Collection).Indexes().ListSpecifications(ctx)
	if err != nil {
		return st, t.scrub(fmt.Errorf("listing the indexes of %s: %w", t.namespace(t.cfg.Collection), err))
	}
	for _, s := range specs {
		st.Indexes = append(st.Indexes, IndexInfo{Name: s.Name, Keys: renderKeys(s.KeysDocument), Unique: s.Unique != nil && *s.Unique})
	}
	return st, nil
}

// estimatedCount reads the target's document count from metadata. On
// FerretDB, count scans the collection; collStats reads SQLite's counter.
func (t *Target) estimatedCount(ctx context.Context) (int64, error) {
	if !t.server.ferret {
		n, err := t.db.Collection(t.cfg.Collection).EstimatedDocumentCount(ctx)
		if err != nil {
			return 0, fmt.Errorf("counting %s: %w", t.namespace(t.cfg.Collection), err)
		}
		return n, nil
	}
	var stats struct {
		Count int64 `bson:"count"`
	}
	if err := t.db.RunCommand(ctx, bson.D{{Key: "collStats", Value: t.cfg.Collection}}).Decode(&stats); err != nil {
		return 0, fmt.Errorf("counting %s: %w", t.namespace(t.cfg.Collection), err)
	}
	return stats.Count, nil
}

func renderKeys(keys bson.Raw) string {
	elems, err := keys.Elements()
	if err != nil {
		return keys.String()
	}
	parts := make([]string, len(elems))
	for i, e := range elems {
		v := e.Value()
		var val string
		switch v.Type {
		case bson.TypeInt32, bson.TypeInt64, bson.TypeDouble:
			n, _ := v.AsInt64OK()
			val = strconv.FormatInt(n, 10)
		case bson.TypeString:
			val = strconv.Quote(v.StringValue())
		default:
			val = v.String()
		}
		parts[i] = e.Key() + ": " + val
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// collections returns the names of the target database's collections.
func (t *Target) collections(ctx context.Context) (map[string]bool, error) {
	var names []string
	err := t.idempotent(ctx, func(ctx context.Context) error {
		var err error
		names, err = t.db.ListCollectionNames(ctx, bson.D{})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("listing the collections of %s at %s: %w", t.cfg.Database, t.redacted, err)
	}
	out := make(map[string]bool, len(names))
	for _, n := range names {
		out[n] = true
	}
	return out, nil
}

// newStaging names the staging collection of a new run.
func (t *Target) newStaging() string {
	return t.cfg.Collection + stagingSuffix + "_" + strconv.FormatInt(time.Now().UnixNano(), 36)
}

// isStaging reports whether name is a staging collection of this target.
func (t *Target) isStaging(name string) bool {
	return strings.HasPrefix(name, t.cfg.Collection+stagingSuffix)
}
func (t *Target) previous() string { return t.cfg.Collection + previousSuffix }

func (t *Target) namespace(coll string) string { return t.cfg.Database + "." + coll }

// drop drops a collection; a missing one is already dropped.
func (t *Target) drop(ctx context.Context, coll string) error {
	return t.dropWithin(ctx, coll, t.cfg.Timeout)
}

// dropWithin drops a collection, retrying transient failures for at most
// budget.
func (t *Target) dropWithin(ctx context.Context, coll string, budget time.Duration) error {
	return t.retryWithin(ctx, budget, func(ctx context.Context) error {
		if err := t.db.Collection(coll).Drop(ctx); err != nil && !hasCode(err, codeNamespaceNotFound) {
			return err
		}
		return nil
	})
}

// idempotent runs op, which is safe to repeat, retrying transient failures
// as the writers do, so that a brief outage does not fail a run's
// bookkeeping (or leave a staging collection behind on Abort).
func (t *Target) idempotent(ctx context.Context, op func(context.Context) error) error {
	return t.retryWithin(ctx, t.cfg.Timeout, op)
}

func (t *Target) retryWithin(ctx context.Context, budget time.Duration, op func(context.Context) error) error {
	timedOut, err := retry(ctx, nil, budget, op)
	if timedOut {
		return fmt.Errorf("MongoDB at %s did not answer for %s: %w", t.redacted, budget, err)
	}
	return err
}

// scrub removes the URI's secrets from err.
func (t *Target) scrub(err error) error { return scrub(err, t.secrets) }

// Close disconnects from the server.
func (t *Target) Close(ctx context.Context) error {
	return t.scrub(t.disconnect(ctx))
}

func (t *Target) disconnect(ctx context.Context) error {
	if err := t.client.Disconnect(ctx); err != nil && !errors.Is(err, mongo.ErrClientDisconnected) {
		return fmt.Errorf("disconnecting from MongoDB at %s: %w", t.redacted, err)
	}
	return nil
}
