# Everything runs with nothing but Go installed: tools come through the Go
# module proxy (see the tool block in go.mod), data is generated.

# A recipe that pipes fails when its first command does.
SHELL       := /bin/bash
.SHELLFLAGS := -o pipefail -c

GO       ?= go
BIN      := bin/runner
DATA     := data/healthcare_dataset.csv
PIPELINE := pipelines/healthcare.hcl
VERSION  := $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X runner/runner.version=$(VERSION)

# Tests compile with the binary's own flags, so that make build, make test
# and the integration suite (which builds the binary too) compile every
# package once. make test-race runs the unit tests under the race detector,
# which needs cgo and a C compiler.
GOTEST   := CGO_ENABLED=0 $(GO) test -trimpath -count=1
UNIT     = $$($(GO) list ./... | grep -v /integration)

.PHONY: help build data run test test-race test-integration lint fmt clean bench bench-full

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

build: ## build bin/runner, a static binary
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) .

data: build $(DATA) ## generate data/healthcare_dataset.csv when absent (55,500 rows, deterministic)

$(DATA):
	$(BIN) generate -rows 55500 -seed 1 -out $(DATA)

run: build data ## apply the healthcare pipeline to the embedded store and write reports
	$(BIN) apply $(PIPELINE)
	@echo "reports: reports/latest/ (run.json, cleaning.md, quality.csv, rejects.csv)"

test: ## run every test, the integration suite included (it says which MongoDB it ran against)
	$(GOTEST) $(UNIT)
	@$(MAKE) --no-print-directory test-integration

test-race: ## run the unit tests under the race detector (needs cgo and a C compiler; about 5 minutes)
	$(GO) test -race -count=1 $(UNIT)

lint: ## gofmt, go vet, staticcheck and the pipeline files' format
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	$(GO) run . fmt -check pipelines/

fmt: ## format Go code and pipeline files
	gofmt -w .
	$(GO) run . fmt pipelines/

clean: ## remove built binaries, generated data, the embedded store and reports
	rm -rf bin data .runner reports

# Containers: Dockerfile and docker-compose.yml. COMPOSE is the Compose plugin
# (docker compose) when it is installed, else docker-compose.
COMPOSE ?= $(shell docker compose version >/dev/null 2>&1 && echo "docker compose" || echo docker-compose)
IMAGE   ?= runner
SERVICE ?=

.PHONY: image up down logs compose-config

image: ## build the container image from Dockerfile, tagged runner:<version> and runner:latest
	docker build --build-arg VERSION=$(VERSION) -t $(IMAGE):$(VERSION) -t $(IMAGE):latest .

# The runner container runs as your user so that it can write ./reports (as
# 65532 when make runs as root, with ./reports handed to that user).
up: data ## start MongoDB, mongo-express and one pipeline run with docker-compose (needs .env)
	@test -f .env || { echo "no .env: cp .env.example .env, then replace every change-me value" >&2; exit 2; }
	@mkdir -p reports backups
	@uid=$${RUNNER_UID:-$$(id -u)}; gid=$${RUNNER_GID:-$$(id -g)}; \
	if [ "$$uid" = 0 ]; then uid=65532; gid=65532; chown $$uid:$$gid reports; fi; \
	echo "RUNNER_UID=$$uid RUNNER_GID=$$gid $(COMPOSE) up -d --build"; \
	RUNNER_UID=$$uid RUNNER_GID=$$gid $(COMPOSE) up -d --build
	@echo "the pipeline run: make logs SERVICE=runner; its reports: reports/latest/"

down: ## stop and remove the containers (MongoDB's volume and data stay)
	$(COMPOSE) down

logs: ## follow the containers' logs (SERVICE=runner for one service)
	$(COMPOSE) logs -f --tail=200 $(SERVICE)

test-integration: ## run the integration suite: MongoDB from MONGO_URI, a container, or runner serve
	$(GOTEST) -v ./integration/... | grep -vE '^=== (RUN|PAUSE|CONT)'


compose-config: ## check docker-compose.yml with the variables of .env.example
	$(COMPOSE) --env-file .env.example config -q

bench: ## measure speed and memory, write BENCHMARKS.md (about 5 minutes; loads up to 555,000 rows)
	$(GO) run ./integration/bench -out BENCHMARKS.md

bench-full: ## bench with the ceiling and the load at 5,550,000 rows too (about 35 minutes)
	$(GO) run ./integration/bench -load-max 0 -out BENCHMARKS.md
