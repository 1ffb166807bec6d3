// Package integration holds runner's end-to-end tests. They drive runner as a
// user does — the binary, built once per package run with CGO_ENABLED=0,
// applying pipelines/healthcare.hcl with MONGO_URI pointing at a MongoDB
// server in another process or container — and then check with the Go driver
// what the database holds: every document of the source, none twice, and the
// previous collection untouched whenever a run fails. The in-process tests in
// runner/ cover the same scenarios against the embedded store; these prove
// them across a real process and network boundary, with the database failing
// under the load.
//
// # Targets
//
// TestMain picks one target for the whole package run and prints it, with the
// reason each target before it was passed over, on lines that start with
// "integration target":
//
//  1. MONGO_URI is set: that server, assumed to be a real MongoDB. The suite
//     does not control it, so the scenarios that stop, pause or disconnect
//     the database skip, and the tests load collections named after
//     themselves (admissions_it_<test>) and drop them afterwards. The
//     least-privilege scenario creates temporary writer and reader users when
//     MONGO_URI's user may, and skips otherwise.
//  2. A Docker engine answers and the official image mongo:8.0 is present or
//     can be pulled (the registry must answer within seconds): each test gets
//     its own mongo:8.0 container from testcontainers-go's mongodb module,
//     with authentication, a root user for the tests' own reads, and the
//     writer (readWrite) and reader (read) users of the compose stack.
//  3. A Docker engine answers but mongo:8.0 cannot be had: the project's own
//     image, built once from integration/image/Dockerfile and the static
//     binary and removed when the package ends; each test gets a container
//     running `runner serve -listen 0.0.0.0:27017 -store-dir /data`.
//  4. No Docker engine: each test starts `runner serve` as a subprocess on a
//     loopback port with its own store folder; runner reaches it through a
//     TCP proxy in the test process, which can silence the link.
//
// To run the suite against a particular target: set MONGO_URI for 1; point
// DOCKER_HOST at an address where nothing listens (DOCKER_HOST=tcp://127.0.0.1:1)
// for 4. TESTCONTAINERS_RYUK_DISABLED defaults to true, because the reaper's
// image may not be obtainable and every test removes its own containers and
// networks. Published ports are reached where testcontainers-go says, or on
// loopback when that host does not answer (testcontainers-go assumes a
// sibling container whenever /.dockerenv exists); TESTCONTAINERS_HOST_OVERRIDE
// decides when set.
//
// # Faults
//
// The fault scenarios interrupt a replace load once its staging collection
// holds documents: on a container by stopping it (its data stays for the
// restart), pausing it, or disconnecting it from its network; on a subprocess
// by SIGKILL and a restart on the same store folder, SIGSTOP, or a proxy that
// swallows every byte. runner must exit non-zero within the pipeline's
// timeout (plus a margin for its cleanup), say what happened, leave the
// previous collection exactly as it was, and complete a re-run once the
// database is back.
//
// Scenarios that need authentication (a wrong password, least-privilege
// users) run on real MongoDB only (targets 1 and 2) and skip elsewhere with
// the reason: the embedded store has no users.
package integration
