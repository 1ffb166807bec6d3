#!/bin/sh
# Builds the runner image offline from this checkout: a static binary for the
# Docker engine's platform, in the FROM scratch image of this folder's
# Dockerfile. Nothing is pulled. The integration suite assembles the same
# build context.
#
#   integration/image/build.sh [TAG]      (default TAG: runner:integration)
#
# Environment: GO (default go), VERSION (stamped into the binary, default
# integration).
set -eu

tag=${1:-runner:integration}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT INT TERM

cp -R "$here/Dockerfile" "$here/.dockerignore" "$here/rootfs" "$ctx/"
cp -R "$root/pipelines" "$ctx/pipelines"

arch=$(docker version --format '{{.Server.Arch}}')
(cd "$root" && CGO_ENABLED=0 GOOS=linux GOARCH="$arch" "${GO:-go}" build -trimpath \
	-ldflags "-s -w -X runner/runner.version=${VERSION:-integration}" -o "$ctx/runner" .)

# The host's CA bundle lets the image verify TLS servers; without one the
# image gets an empty file and trusts only a pipeline's tls.ca_file.
: >"$ctx/ca-certificates.crt"
for f in /etc/ssl/certs/ca-certificates.crt /etc/pki/tls/certs/ca-bundle.crt /etc/ssl/cert.pem; do
	if [ -r "$f" ]; then
		cp "$f" "$ctx/ca-certificates.crt"
		break
	fi
done

docker build -q -t "$tag" "$ctx"
