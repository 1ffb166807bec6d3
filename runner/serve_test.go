package runner

import (
	"context"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"runner/stages/embedded"
)

// unprotectedWarning starts the warning serve prints beyond loopback.
const unprotectedWarning = "Warning: the embedded store has no authentication and no TLS"

func TestServeAnnouncesTheAddressItListensOn(t *testing.T) {
	tests := []struct {
		name   string
		listen string
		// wantHosts are the hosts the banner may name (Go reports a
		// listener on every interface as [::] or, without IPv6, 0.0.0.0).
		wantHosts []string
		// dialHost is where a client connects, with the banner's port.
		dialHost       func(t *testing.T) string
		beyondLoopback bool
	}{
		{name: "loopback", listen: "127.0.0.1:0", wantHosts: []string{"127.0.0.1"},
			dialHost: func(*testing.T) string { return "127.0.0.1" }},
		{name: "every interface", listen: "0.0.0.0:0", wantHosts: []string{"::", "0.0.0.0"},
			dialHost: nonLoopbackAddress, beyondLoopback: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dialHost := tt.dialHost(t)
			p := startServe(t, tt.listen, filepath.Join(t.TempDir(), "store"))
			defer p.stop()
			host, port, err := net.SplitHostPort(p.addr)
			if err != nil || port == "0" || !slices.Contains(tt.wantHosts, host) {
				t.Fatalf("serve announced %q; want one of %v with the port it chose\n%s", p.addr, tt.wantHosts, strings.Join(p.banner, "\n"))
			}
			pingStore(t, "mongodb://"+net.JoinHostPort(dialHost, port)+"/")
			p.stop()
			if got := strings.Contains(p.stderr.String(), unprotectedWarning); got != tt.beyondLoopback {
				t.Errorf("warning on stderr: %v, want %v; stderr:\n%s", got, tt.beyondLoopback, p.stderr)
			}
		})
	}
}

// nonLoopbackAddress is an IPv4 address of this machine other than
// loopback; the test is skipped on a machine without one.
func nonLoopbackAddress(t *testing.T) string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatalf("listing this machine's addresses: %v", err)
	}
	for _, a := range addrs {
		if ipnet, ok := a.(*net.IPNet); ok && ipnet.IP.To4() != nil && !ipnet.IP.IsLoopback() {
			return ipnet.IP.String()
		}
	}
	t.Skip("this machine has no IPv4 address beyond loopback to connect through")
	return ""
}

// pingStore connects to uri with the driver and writes and reads a document.
func pingStore(t *testing.T, uri string) {
	t.Helper()
	client, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		t.Fatalf("connecting to %s: %v", uri, err)
	}
	defer client.Disconnect(context.Background())
	coll := client.Database("served").Collection("probe")
	if _, err := coll.InsertOne(t.Context(), bson.D{{Key: "_id", Value: 1}}); err != nil {
		t.Fatalf("writing through %s: %v", uri, err)
	}
	if n, err := coll.CountDocuments(t.Context(), bson.D{}); err != nil || n != 1 {
		t.Fatalf("counting through %s: %d, %v; want 1", uri, n, err)
	}
}

func TestServeBannerSaysWhatTheStoreIsFor(t *testing.T) {
	p := startServe(t, "127.0.0.1:0", filepath.Join(t.TempDir(), "store"))
	defer p.stop()
	banner := strings.Join(p.banner, "\n")
	wants := []string{
		"is for trying runner and for looking at\nwhat apply loaded",
		"It is not MongoDB",
		"make up starts it with Docker Compose\n(docker-compose.yml)",
	}
	for _, l := range embedded.Limitations() {
		wants = append(wants, "\n  - "+l+"\n")
	}
	for _, want := range wants {
		if !strings.Contains(banner, want) {
			t.Errorf("the banner does not say %q:\n%s", want, banner)
		}
	}
}
