package integration

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/testcontainers/testcontainers-go"
)

// suite is what TestMain prepares once for the package: the binary under test
// and the target every test's server comes from. Tests only read it.
var suite *harness

type harness struct {
	root string // the module's root folder
	bin  string // runner, built with CGO_ENABLED=0
	kind targetKind
	// passedOver says, for each target tried before kind, why it was not
	// used.
	passedOver []string
	// mongoURI is MONGO_URI (targetURI).
	mongoURI string
	// docker reaches the Docker engine (targetMongo, targetImage).
	docker *testcontainers.DockerProvider
	// image is the project's image built for this run (targetImage), and
	// stages the untagged images of its build's earlier stages.
	image  string
	stages []string
}

func TestMain(m *testing.M) {
	os.Exit(runSuite(m))
}

func runSuite(m *testing.M) int {
	// No registry may serve the reaper's image, and every test removes the
	// containers and networks it creates; a caller's own choice wins.
	if _, set := os.LookupEnv("TESTCONTAINERS_RYUK_DISABLED"); !set {
		os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	}
	h, cleanup, err := prepare(context.Background())
	defer func() {
		if err := cleanup(); err != nil {
			fmt.Fprintf(os.Stderr, "integration: cleaning up: %v\n", err)
		}
	}()
	if err != nil {
		fmt.Fprintf(os.Stderr, "integration: %v\n", err)
		return 1
	}
	fmt.Printf("integration target: %s\n", h.kind.describe(h))
	for _, why := range h.passedOver {
		fmt.Printf("integration target passed over: %s\n", why)
	}
	suite = h
	return m.Run()
}

// prepare builds the binary and chooses the target. cleanup undoes what
// prepare did, whether or not it succeeded.
func prepare(ctx context.Context) (h *harness, cleanup func() error, err error) {
	var undo []func() error
	cleanup = func() error {
		var errs []error
		for i := len(undo) - 1; i >= 0; i-- {
			errs = append(errs, undo[i]())
		}
		return errors.Join(errs...)
	}
	h = &harness{}
	if h.root, err = moduleRoot(); err != nil {
		return nil, cleanup, err
	}
	tmp, err := os.MkdirTemp("", "runner-integration-")
	if err != nil {
		return nil, cleanup, err
	}
	undo = append(undo, func() error { return os.RemoveAll(tmp) })
	if h.bin, err = buildRunner(ctx, h.root, tmp); err != nil {
		return nil, cleanup, err
	}
	undo = append(undo, func() error { return h.release(context.Background()) })
	return h, cleanup, h.chooseTarget(ctx, tmp)
}

// moduleRoot is the folder holding go.mod, above the package's folder (the
// working directory of a test binary).
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// buildRunner builds the binary the way the image and users get it: static,
// without cgo, for the platform env names (this one by default). The go
// command is on PATH: go test puts GOROOT/bin first.
func buildRunner(ctx context.Context, root, dir string, env ...string) (string, error) {
	bin := filepath.Join(dir, "runner")
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", bin, ".")
	cmd.Dir = root
	cmd.Env = append(append(os.Environ(), "CGO_ENABLED=0"), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %w\n%s", err, strings.TrimSpace(string(out)))
	}
	return bin, nil
}
