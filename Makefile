# Everything runs with nothing but Go installed: tools come through the Go
# module proxy (see the tool block in go.mod), data is generated.

GO       ?= go
BIN      := bin/runner
DATA     := data/healthcare_dataset.csv
PIPELINE := pipelines/healthcare.hcl
VERSION  := $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X runner/runner.version=$(VERSION)

# The race detector needs cgo and a C compiler; a machine with only Go runs
# the same tests without it.
RACE := $(shell [ "$$($(GO) env CGO_ENABLED)" = 1 ] && command -v "$$($(GO) env CC)" >/dev/null 2>&1 && echo -race)

.PHONY: help build data run test test-integration lint fmt clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

build: ## build bin/runner, a static binary
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) .

data: $(DATA) ## generate data/healthcare_dataset.csv when absent (55,500 rows, deterministic)

$(DATA):
	@$(MAKE) --no-print-directory build
	$(BIN) generate -rows 55500 -seed 1 -out $(DATA)

run: build data ## apply the healthcare pipeline to the embedded store and write reports
	$(BIN) apply $(PIPELINE)
	@echo "reports: reports/latest/ (run.json, cleaning.md, quality.csv, rejects.csv)"

test: ## run every test, the integration suite included
	@echo "go test $(if $(RACE),with,without) the race detector"
	$(GO) test $(RACE) -count=1 ./...

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
