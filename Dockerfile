# The runner image: a static binary on an empty base, run as a non-root user.
#
#   docker build --build-arg VERSION="$(git describe --always --dirty)" -t runner .
#   docker run --rm runner --version
#   export MONGO_URI='mongodb://writer:...@db.example.net:27017/medical_records?authSource=medical_records'
#   docker run --rm --user "$(id -u):$(id -g)" -e MONGO_URI \
#     -v "$PWD/data:/data:ro" -v "$PWD/reports:/work/reports" \
#     runner apply pipelines/healthcare.hcl -var csv_path=/data/healthcare_dataset.csv
#
# It uses no BuildKit-only syntax, so the classic builder (docker-compose 1.x)
# builds it too. GO_IMAGE lets a build use a mirror of the Go image:
#   --build-arg GO_IMAGE=registry.example.net/golang:1.26-bookworm

ARG GO_IMAGE=golang:1.26-bookworm

FROM ${GO_IMAGE} AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOFLAGS=-mod=readonly

# Modules first, so that a change to the code does not download them again.
COPY go.mod go.sum ./
RUN go mod download

COPY . .
ARG VERSION=dev
RUN go build -trimpath -ldflags "-s -w -X runner/runner.version=${VERSION}" -o /out/runner . \
 && /out/runner --version

# The runtime file system, assembled here so that one COPY keeps every owner
# and mode. The runtime user (65532) writes to:
#   /work/reports   report folders (files inside are created 0600)
#   /work/.runner   the embedded store, used when the pipeline names no MongoDB URI
#   /data           the store folder of `serve -store-dir /data` (a read-only CSV mount hides it)
#   /tmp            temporary files
# /work stays 0755 so that the image also runs as another user (docker run --user).
# The CA bundle lets the driver verify a TLS server (Atlas, DocumentDB) with
# the system roots; a pipeline's tls.ca_file replaces them.
RUN mkdir -p /rootfs/etc/ssl/certs /rootfs/work/reports /rootfs/work/.runner /rootfs/data /rootfs/tmp \
 && cp /etc/ssl/certs/ca-certificates.crt /rootfs/etc/ssl/certs/ \
 && cp /out/runner /rootfs/runner \
 && cp -R pipelines /rootfs/work/pipelines \
 && chmod 0755 /rootfs/work \
 && chmod 0750 /rootfs/work/reports \
 && chmod 0700 /rootfs/work/.runner /rootfs/data \
 && chmod 1777 /rootfs/tmp \
 && chown 65532:65532 /rootfs/work /rootfs/work/reports /rootfs/work/.runner /rootfs/data

FROM scratch
ARG VERSION=dev
LABEL org.opencontainers.image.title="runner" \
      org.opencontainers.image.description="Migrates CSV files into MongoDB as declared in HCL pipeline files" \
      org.opencontainers.image.version="${VERSION}"
COPY --from=build /rootfs/ /

USER 65532:65532
WORKDIR /work
ENTRYPOINT ["/runner"]
# No default job: `docker run runner` prints the commands. The image runs a
# batch job (apply) that ends with an exit code, so it has no HEALTHCHECK; for
# `serve`, check the port from outside (the image has no shell or client).
CMD ["--help"]
