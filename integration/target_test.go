package integration

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	stdlog "log"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/docker/docker/api/types/build"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"
	"github.com/docker/docker/pkg/jsonmessage"
	"github.com/testcontainers/testcontainers-go"

	"runner/stages/plan"
)

// targetKind is where the tests' servers come from, in order of preference.
type targetKind int

const (
	targetURI     targetKind = iota + 1 // MONGO_URI
	targetMongo                         // mongo:8.0 containers
	targetImage                         // the project's image running runner serve
	targetProcess                       // runner serve subprocesses
)

// mongoImage is the official image the suite runs against when it can; pinned
// so that a new major version is a deliberate change.
const mongoImage = "mongo:8.0"

const (
	// dockerAnswer bounds the search for a Docker engine, so that a machine
	// without one falls through to subprocesses at once.
	dockerAnswer = 20 * time.Second
	// registryAnswer bounds the wait for a registry's first answer to a
	// pull: without a registry (or with a silent one) the suite moves on
	// quickly. pullTimeout bounds the download once it answered.
	registryAnswer = 20 * time.Second
	pullTimeout    = 10 * time.Minute
)

func (k targetKind) describe(h *harness) string {
	switch k {
	case targetURI:
		return "1. MONGO_URI (" + plan.RedactURI(h.mongoURI) + "), assumed to be MongoDB; the suite does not control it"
	case targetMongo:
		return "2. " + mongoImage + " containers (testcontainers-go mongodb module) with authentication and least-privilege users"
	case targetImage:
		return "3. containers of the project's image " + h.image + " running `runner serve` (testcontainers-go)"
	case targetProcess:
		return "4. `runner serve` subprocesses on loopback, reached through a TCP proxy in the test"
	}
	return fmt.Sprintf("unknown target %d", int(k))
}

// chooseTarget picks the first target that can run here and records why the
// ones before it cannot.
func (h *harness) chooseTarget(ctx context.Context, tmp string) error {
	if uri := os.Getenv("MONGO_URI"); uri != "" {
		h.kind, h.mongoURI = targetURI, uri
		return nil
	}
	h.passedOver = append(h.passedOver, "1. MONGO_URI: not set")

	docker, err := dockerEngine(ctx)
	if err != nil {
		h.passedOver = append(h.passedOver,
			"2. "+mongoImage+" containers: no Docker engine answers: "+err.Error(),
			"3. the project's image: no Docker engine answers")
		h.kind = targetProcess
		return nil
	}
	h.docker = docker

	if err := obtainImage(ctx, docker.Client(), mongoImage); err != nil {
		h.passedOver = append(h.passedOver, "2. "+mongoImage+" containers: the image cannot be obtained: "+err.Error())
	} else {
		h.kind = targetMongo
		return nil
	}

	if h.image, h.stages, err = buildImage(ctx, docker, h.root, h.bin, tmp); err != nil {
		return fmt.Errorf("a Docker engine answers but the project's image does not build: %w", err)
	}
	h.kind = targetImage
	return nil
}

// release removes what the harness created in the Docker engine.
func (h *harness) release(ctx context.Context) error {
	if h.docker == nil {
		return nil
	}
	var errs []error
	if h.image != "" {
		_, err := h.docker.Client().ImageRemove(ctx, h.image, image.RemoveOptions{Force: true, PruneChildren: true})
		errs = append(errs, err)
	}
	for _, id := range h.stages {
		_, err := h.docker.Client().ImageRemove(ctx, id, image.RemoveOptions{PruneChildren: true})
		errs = append(errs, err)
	}
	errs = append(errs, h.docker.Close())
	return errors.Join(errs...)
}

// dockerEngine connects to the Docker engine testcontainers-go would use.
func dockerEngine(ctx context.Context) (*testcontainers.DockerProvider, error) {
	type found struct {
		p   *testcontainers.DockerProvider
		err error
	}
	ctx, cancel := context.WithTimeout(ctx, dockerAnswer)
	defer cancel()
	// DOCKER_HOST names the engine the user means; testcontainers-go would
	// quietly fall back to the default socket when it does not answer.
	if host := os.Getenv("DOCKER_HOST"); host != "" {
		cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
		if err == nil {
			_, err = cli.Ping(ctx)
			cli.Close()
		}
		if err != nil {
			return nil, fmt.Errorf("DOCKER_HOST=%s: %w", host, err)
		}
	}
	// The provider looks for the engine without a deadline (and panics when
	// there is no Docker host at all); a goroutine left waiting on a silent
	// DOCKER_HOST is the lesser evil for a test binary.
	ch := make(chan found, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				ch <- found{err: fmt.Errorf("%v", r)}
			}
		}()
		p, err := testcontainers.NewDockerProvider(testcontainers.WithLogger(stdlog.New(io.Discard, "", 0)))
		if err == nil {
			if err = p.Health(ctx); err != nil {
				p.Close()
			}
		}
		ch <- found{p, err}
	}()
	select {
	case f := <-ch:
		return f.p, f.err
	case <-ctx.Done():
		return nil, fmt.Errorf("no answer within %s", dockerAnswer)
	}
}

// obtainImage makes ref present in the engine: it is already, or a registry
// answers a pull within registryAnswer and the pull completes.
func obtainImage(ctx context.Context, cli client.APIClient, ref string) error {
	if _, err := cli.ImageInspect(ctx, ref); err == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, pullTimeout)
	defer cancel()
	var silent atomic.Bool
	answer := time.AfterFunc(registryAnswer, func() { silent.Store(true); cancel() })
	defer answer.Stop()
	failed := func(err error) error {
		if silent.Load() {
			return fmt.Errorf("not present, and no registry answered a pull within %s", registryAnswer)
		}
		return fmt.Errorf("not present, and pulling it failed: %w", err)
	}
	rc, err := cli.ImagePull(ctx, ref, image.PullOptions{})
	if err != nil {
		return failed(err)
	}
	defer rc.Close()
	dec := json.NewDecoder(rc)
	for {
		var msg jsonmessage.JSONMessage
		if err := dec.Decode(&msg); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return failed(err)
		}
		answer.Stop() // the registry answered: the download may take its time
		if msg.Error != nil {
			return failed(msg.Error)
		}
	}
	if _, err := cli.ImageInspect(ctx, ref); err != nil {
		return failed(err)
	}
	return nil
}

// buildImage builds integration/image/Dockerfile (owned by the image's
// authors) under a tag of the run's own, so that concurrent runs do not
// collide. The build context is what that folder's build.sh assembles: the
// folder itself, the static binary for the engine's platform as runner, the
// repository's pipelines/ and a CA bundle. It
// returns the tag and the images of the Dockerfile's earlier stages, if any,
// which the classic builder keeps untagged and removing the tag leaves
// behind.
func buildImage(ctx context.Context, docker *testcontainers.DockerProvider, root, bin, tmp string) (tag string, stages []string, err error) {
	version, err := docker.Client().ServerVersion(ctx)
	if err != nil {
		return "", nil, err
	}
	if version.Os != "linux" {
		return "", nil, fmt.Errorf("the engine runs %s containers; the image is for linux", version.Os)
	}
	if runtime.GOOS != "linux" || runtime.GOARCH != version.Arch {
		if bin, err = buildRunner(ctx, root, filepath.Join(tmp, "linux"), "GOOS=linux", "GOARCH="+version.Arch); err != nil {
			return "", nil, err
		}
	}
	dir := filepath.Join(tmp, "image")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(root, "integration", "image"))); err != nil {
		return "", nil, err
	}
	if err := os.CopyFS(filepath.Join(dir, "pipelines"), os.DirFS(filepath.Join(root, "pipelines"))); err != nil {
		return "", nil, err
	}
	if err := copyFile(bin, filepath.Join(dir, "runner")); err != nil {
		return "", nil, err
	}
	// The suite's servers speak no TLS: an empty bundle, as build.sh
	// writes on a host without one.
	if err := os.WriteFile(filepath.Join(dir, "ca-certificates.crt"), nil, 0o644); err != nil {
		return "", nil, err
	}

	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	var log bytes.Buffer
	tag, err = docker.BuildImage(ctx, &testcontainers.ContainerRequest{
		FromDockerfile: testcontainers.FromDockerfile{
			Context: dir, Dockerfile: "Dockerfile",
			Repo: "runner-integration", Tag: randomHex(6), KeepImage: true,
			BuildLogWriter: &log,
			// Every step anew: the stage images found in the log are this
			// build's, never another build's cache, so removing them
			// takes nothing from anyone.
			BuildOptionsModifier: func(o *build.ImageBuildOptions) { o.NoCache = true },
		},
	})
	return tag, stageImages(log.String()), err
}

// stageImages reads a classic builder's log for the last image of each
// stage but the final one: the image before each FROM step.
func stageImages(log string) []string {
	step := regexp.MustCompile(`^Step \d+/\d+ : (\w+)`)
	result := regexp.MustCompile(`^ ---> ([0-9a-f]{12,})$`)
	var stages []string
	last := ""
	for _, line := range strings.Split(log, "\n") {
		line = strings.TrimRight(line, "\r")
		if m := step.FindStringSubmatch(line); m != nil && strings.EqualFold(m[1], "FROM") && last != "" {
			stages = append(stages, last)
			last = ""
		} else if m := result.FindStringSubmatch(line); m != nil {
			last = m[1]
		}
	}
	return stages
}

// copyFile copies a file with its permissions, creating the folder.
func copyFile(from, to string) error {
	info, err := os.Stat(from)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	return os.WriteFile(to, data, info.Mode().Perm())
}

// randomHex returns n random bytes in hex: passwords and names that no
// earlier run used.
func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
