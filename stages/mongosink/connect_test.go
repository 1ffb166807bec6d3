package mongosink

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"runner/stages/plan"
)

func TestScrub(t *testing.T) {
	tests := []struct {
		name, uri, text, want string
	}{
		{name: "as written", uri: "mongodb://w:s3cret@db/", text: "auth s3cret failed", want: "auth *** failed"},
		{name: "unescaped", uri: "mongodb://w:p%40ss@db/", text: `invalid password "p@ss"`, want: `invalid password "***"`},
		{name: "escaped", uri: "mongodb://w:p@ss@db/", text: "uri mongodb://w:p%40ss@db/", want: "uri mongodb://w:***@db/"},
		{name: "session token", uri: "mongodb://db/?authMechanismProperties=AWS_SESSION_TOKEN:tok123", text: "bad AWS_SESSION_TOKEN:tok123", want: "bad ***"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cause := errors.New(tt.text)
			err := scrub(cause, plan.URISecrets(tt.uri))
			if err.Error() != tt.want {
				t.Errorf("scrubbed %q to %q, want %q", tt.text, err, tt.want)
			}
			if !errors.Is(err, cause) {
				t.Error("the scrubbed error does not match its cause with errors.Is")
			}
			if errors.Unwrap(err) != nil {
				t.Error("the scrubbed error unwraps to a text that may hold the secret")
			}
		})
	}
}

func TestConnectErrors(t *testing.T) {
	const password = "Pa55-w0rd"
	withUser := func(uri, user string) string {
		return strings.Replace(uri, "mongodb://", "mongodb://"+user+":"+password+"@", 1)
	}
	missingCA := filepath.Join(t.TempDir(), "no-such-ca.pem")
	notPEM := filepath.Join(t.TempDir(), "ca.txt")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		uri  string
		tls  plan.TLS
		want []string
	}{
		{
			// Nothing listens: refused at once, without waiting for the timeout.
			name: "refused",
			uri:  "mongodb://writer:" + password + "@127.0.0.1:1/?authSource=admin",
			want: []string{"cannot reach MongoDB at mongodb://writer:***@127.0.0.1:1/?authSource=admin: ", "connection refused", " — is the server running and the address right?"},
		},
		{
			// Something listens but never answers: the timeout decides.
			name: "unanswered",
			uri:  "mongodb://writer:" + password + "@" + silentListener(t) + "/?authSource=admin",
			want: []string{"within 1s: ", " — is the server running and the address right?"},
		},
		{
			name: "credentials refused",
			uri:  withUser(storeURI, "writer"),
			want: []string{"MongoDB at " + plan.RedactURI(withUser(storeURI, "writer")) + ` refused the credentials of user "writer": authentication failed — check the user name, password and authSource`},
		},
		{
			name: "password that is not valid in a URI",
			uri:  "mongodb://writer:" + password + "%zz@127.0.0.1:1/",
			want: []string{"the MongoDB URI mongodb://writer:***@127.0.0.1:1/ is not valid: "},
		},
		{
			name: "missing CA file",
			uri:  withUser(storeURI, "writer"),
			tls:  plan.TLS{Enabled: true, CAFile: missingCA},
			want: []string{"reading the TLS CA file: open " + missingCA},
		},
		{
			name: "CA file without a certificate",
			uri:  withUser(storeURI, "writer"),
			tls:  plan.TLS{Enabled: true, CAFile: notPEM},
			want: []string{"the TLS CA file " + notPEM + " holds no PEM certificate"},
		},
		{
			name: "server without TLS",
			uri:  withUser(storeURI, "writer") + "?authMechanism=PLAIN",
			tls:  plan.TLS{Enabled: true},
			want: []string{"TLS handshake with MongoDB at " + plan.RedactURI(withUser(storeURI, "writer")) + "?authMechanism=PLAIN failed: ", "is TLS enabled on the server?"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t, plan.ModeReplace)
			cfg.URI, cfg.TLS, cfg.Timeout = tt.uri, tt.tls, time.Second
			target, err := Connect(t.Context(), cfg)
			if err == nil {
				_ = target.Close(t.Context())
				t.Fatal("Connect succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q, want it to contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), password) {
				t.Errorf("error %q contains the password", err)
			}
		})
	}
}

func TestConnectWithoutReportedPrivileges(t *testing.T) {
	// FerretDB authenticates PLAIN users without reporting privileges: the
	// check is skipped rather than failed.
	cfg := testConfig(t, plan.ModeReplace)
	cfg.URI = strings.Replace(storeURI, "mongodb://", "mongodb://writer:pw@", 1) + "?authMechanism=PLAIN"
	target := connect(t, cfg)
	if !target.server.ferret {
		t.Errorf("the embedded store was taken for %s", target.server.version)
	}
}

func TestConfigRefusals(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{name: "no database", change: func(c *Config) { c.Database = "" }, want: "no target database given"},
		{name: "dotted database", change: func(c *Config) { c.Database = "a.b" }, want: `database name "a.b" may not contain`},
		{name: "system collection", change: func(c *Config) { c.Collection = "system.users" }, want: `collection name "system.users" may not`},
		{name: "unacknowledged writes", change: func(c *Config) { c.WriteConcern.W = "0" }, want: "write concern w=0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t, plan.ModeReplace)
			tt.change(&cfg)
			_, err := Connect(t.Context(), cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Connect error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestWriteConcernIsAccepted(t *testing.T) {
	cfg := testConfig(t, plan.ModeAppend)
	cfg.WriteConcern = plan.WriteConcern{W: "majority", Journal: true}
	res, _ := runLoad(t, connect(t, cfg), docBatches(0, 300, 300, 0))
	if res.Inserted != 300 {
		t.Errorf("inserted %d documents with w=majority, j=true; want 300", res.Inserted)
	}
}

// realMongoURI returns MONGO_URI, or skips: the test needs what the
// embedded store does not have.
func realMongoURI(t *testing.T) string {
	t.Helper()
	uri := os.Getenv("MONGO_URI")
	if uri == "" {
		t.Skip("needs a real MongoDB: set MONGO_URI")
	}
	return uri
}

// silentListener accepts connections and never answers, like a hung
// server; it closes when the test ends.
func silentListener(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}
