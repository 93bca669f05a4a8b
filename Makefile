# btfhub: see README.md.
GO      ?= go
BIN     := bin/btfhub
KERNEL  := testdata/kernels/6.1.0-53-cloud-amd64.btf.xz
PREDEDUP := testdata/dedup/6.1.0-53-cloud-amd64.prededup.btf.xz
DEMO    := bin/demo

.PHONY: all build test test-go deps testdata lint fuzz fuzz-short demo bench bench-data clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/btfhub

## deps: install the Debian reference tools the tests use (bpftool, clang,
## llvm, libbpf-dev, dwarves, libbpf-tools) and download Go modules.
deps:
	scripts/install-deps.sh
	$(GO) mod download

## testdata: fetch the inputs too large for the repository, all from
## Debian's registry: kernel modules (linux-image-6.1.0-53-cloud-amd64), the
## debug packages of every Debian 12 6.1 build in its amd64, cloud and rt
## flavours (18 packages, 12 GB, as of 6.1.0-56), libbpf's CO-RE selftests
## (linux-source-6.1), and an archive built from those packages.
testdata:
	scripts/fetch-testdata.sh
	scripts/bench-data.sh
	scripts/fetch-debs.sh
	scripts/fetch-dbg.sh
	scripts/fetch-selftests.sh
	scripts/build-real-archive.sh

## test: everything CI runs.
test: deps testdata lint test-go fuzz-short

test-go:
	$(GO) test -count=1 -timeout 40m ./...

lint:
	@unformatted=$$(gofmt -l . | grep -v '^testdata/' || true); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	cd benchmarks && $(GO) vet ./...

fuzz-short:
	FUZZTIME=$${FUZZTIME:-10s} scripts/fuzz.sh

## fuzz: the long run, FUZZTIME (default 30m) per target.
fuzz:
	FUZZTIME=$${FUZZTIME:-30m} scripts/fuzz.sh

## demo: the main job on the kernel BTF that ships in testdata/.
demo: build
	@echo '$$ btfhub stats $(KERNEL)'
	@$(BIN) stats $(KERNEL)
	@echo
	@echo '$$ btfhub dump $(KERNEL) | head -8'
	@$(BIN) dump $(KERNEL) | head -8
	@echo
	@echo "$$ btfhub dump $(KERNEL) | grep -A3 \"STRUCT 'list_head'\""
	@$(BIN) dump $(KERNEL) | grep -m1 -A3 "STRUCT 'list_head'"
	@echo
	@echo '$$ btfhub validate $(KERNEL)'
	@$(BIN) validate $(KERNEL)
	@rm -rf $(DEMO) && mkdir -p $(DEMO)
	@echo
	@echo '$$ btfhub dedup $(PREDEDUP) -o $(DEMO)/vmlinux.dedup.btf'
	@$(BIN) dedup $(PREDEDUP) -o $(DEMO)/vmlinux.dedup.btf
	@echo
	@echo '$$ btfhub relocate testdata/objects/opensnoop.bpf.o --target $(KERNEL) --report - | head -4'
	@$(BIN) relocate testdata/objects/opensnoop.bpf.o --target $(KERNEL) --report - | head -4
	@echo
	@echo '$$ btfhub minimize testdata/objects/*.bpf.o --target $(KERNEL) -o $(DEMO)/tools.min.btf'
	@$(BIN) minimize testdata/objects/*.bpf.o --target $(KERNEL) -o $(DEMO)/tools.min.btf
	@echo '$$ btfhub dump $(DEMO)/tools.min.btf --format c | grep -A4 "struct trace_event_raw_sys_enter {"'
	@$(BIN) dump $(DEMO)/tools.min.btf --format c | grep -A4 "struct trace_event_raw_sys_enter {"
	@echo
	@echo '$$ btfhub archive add $(DEMO)/archive --distro debian --version 12 --arch x86_64 testdata/kernels/*.btf.xz'
	@$(BIN) archive add $(DEMO)/archive --distro debian --version 12 --arch x86_64 testdata/kernels/*.btf.xz
	@echo '$$ btfhub archive list $(DEMO)/archive'
	@$(BIN) archive list $(DEMO)/archive
	@echo '$$ btfhub archive pack $(DEMO)/archive -o $(DEMO)/kernels.pack && btfhub archive verify $(DEMO)/kernels.pack'
	@$(BIN) archive pack $(DEMO)/archive -o $(DEMO)/kernels.pack
	@$(BIN) archive verify $(DEMO)/kernels.pack
	@printf 'ID=debian\nVERSION_ID="12.5"\n' > $(DEMO)/os-release
	@echo '$$ btfhub host --archive $(DEMO)/kernels.pack --sysfs-btf /nonexistent --os-release $(DEMO)/os-release --uname-release 6.1.0-53-cloud-amd64 --uname-machine x86_64 -o $(DEMO)/vmlinux.btf'
	@$(BIN) host --archive $(DEMO)/kernels.pack --sysfs-btf /nonexistent --os-release $(DEMO)/os-release --uname-release 6.1.0-53-cloud-amd64 --uname-machine x86_64 -o $(DEMO)/vmlinux.btf
	@xz -dc $(KERNEL) | cmp - $(DEMO)/vmlinux.btf && echo 'byte-identical to $(KERNEL)'
	@echo '$$ btfhub host'
	@$(BIN) host

## bench-data: the inputs of the benchmarks, in benchmarks/data/.
bench-data:
	scripts/bench-data.sh
	scripts/fetch-dbg.sh

## bench: every comparison with the reference tools; see benchmarks/RESULTS.md.
bench: bench-data
	cd benchmarks && $(GO) test -count=1 ./...
	cd benchmarks && $(GO) run ./cmd/compare -rounds 9 -runs 5
	cd benchmarks && $(GO) test -run '^$$' -bench . -benchmem -count 5 ./...
	$(GO) test -run '^$$' -bench . -benchmem ./btf/ ./minimize/ ./corerel/
	scripts/bench-encode.sh
	$(GO) test -count=1 -run 'TestVmlinux' ./fromdwarf/

clean:
	rm -rf bin benchmarks/data testdata/cache
