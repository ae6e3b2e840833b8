# A thin wrapper around Meson: set-up, build, and the project's jobs.
#   make demo      build and run the main job on the embedded default processor
#   make plot      redraw docs/img/quickstart-usage.svg from a run of examples/quickstart.vsgx
#   make test      build plain and with ASan+UBSan and run every test; run the
#                  concurrency tests again with ThreadSanitizer; build QEMU with
#                  vsgx and a Debian guest, and run the guest tests
#   make check     the fast inner loop: the plain build's tests only
#   make qemu      QEMU's software CPU with vsgx as its SGX unit (qemu/)
#   make qemu-demo a Debian 12 guest on it runs Linux's SGX selftests
#   make fuzz-build  the fuzz targets built with clang, each run 2000 times (part of make test)
#   make stress    long runs: fuzzers, PROP_SEEDS random scenarios (tests/prop) on the
#                  clang ASan build, then the concurrency tests many times under TSan,
#                  then 1 TiB of EPC held by a VM (scripts/lean.sh: memory and boot time)
#   make bench     benchmarks, in a release build
#   make policies  the EPC policies compared on one workload (docs/POLICIES.md): the
#                  table, and the plots docs/img/policies-*.svg, in a release build
#   make bench-qemu  a Debian guest on QEMU TCG with vsgx, timed against its own floors
#   make install   vsgx, libvsgx, its header and vsgx.pc, the man pages, Bash
#                  completion and the vectors vsgx reads, under PREFIX (/usr/local),
#                  staged under DESTDIR when set
BUILD      ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
FUZZ_BUILD ?= build-fuzz
BENCH_BUILD ?= build-release
# An optional outside folder of vectors for extra tests; the repository's own
# are in tests/vectors. Empty: ../shared/vectors when it exists.
VECTORS    ?=
PREFIX     ?= /usr/local
DESTDIR    ?=
FUZZ_SECONDS ?= 60
SOAK_ROUNDS ?= 50
# Random scenarios of tests/prop/scengen.py for make stress: seeds PROP_FIRST
# to PROP_FIRST + PROP_SEEDS - 1 (make test runs seeds 1 to 200), with
# PROP_VSGX_ARGS added to every vsgx run and monitor; failing seeds are
# shrunk and kept in PROP_KEEP.
PROP_SEEDS ?= 5000
PROP_FIRST ?= 1000
PROP_JOBS  ?= 2
PROP_VSGX_ARGS ?=
PROP_KEEP  ?= $(FUZZ_BUILD)/prop-failures
MESON_TEST = meson test --print-errorlogs --num-processes 2
QEMU_CACHE ?= .cache/qemu
GUEST_CACHE ?= .cache/guest
GUEST_OUT  ?= $(BUILD)/guest
QEMU_TESTS ?= $(BUILD)/qemu-tests
QEMU_BENCH ?= $(BUILD)/qemu-bench
QEMU_BENCH_BOOTS ?= 5
# What building QEMU and the guest needs beyond vsgx's own dependencies.
QEMU_DEPS = libglib2.0-dev libpixman-1-dev libfdt-dev zlib1g-dev dpkg-dev xz-utils \
	patch ccache seabios qemu-system-data libc6-dev make libssl-dev cpio

export ASAN_OPTIONS = detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS = halt_on_error=1:print_stacktrace=1
export TSAN_OPTIONS = halt_on_error=1:second_deadlock_stack=1

.PHONY: all deps deps-fuzz deps-qemu build demo plot test check qemu guest qemu-demo \
	qemu-test stress bench bench-qemu policies format clean install

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) -Dvectors=$(abspath $(VECTORS))

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) -Dvectors=$(abspath $(VECTORS)) -Db_sanitize=address,undefined \
		-Db_lundef=false -Dc_args=-fno-sanitize-recover=all

$(TSAN_BUILD)/build.ninja:
	meson setup $(TSAN_BUILD) -Dvectors=$(abspath $(VECTORS)) -Db_sanitize=thread -Db_lundef=false

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

demo: build
	@scripts/demo.sh $(BUILD)/src/cli/vsgx

# The plot in the docs: EPC per node and VM after each command of the quickstart
# (tests/cli/plot.sh checks that the committed image is what the run draws).
plot: build
	$(BUILD)/src/cli/vsgx run --quiet --json $(BUILD)/quickstart.jsonl examples/quickstart.vsgx >/dev/null
	$(BUILD)/src/cli/vsgx plot $(BUILD)/quickstart.jsonl -o docs/img/quickstart-usage.svg

test: deps deps-qemu $(BUILD)/build.ninja $(ASAN_BUILD)/build.ninja $(TSAN_BUILD)/build.ninja
	ninja -C $(BUILD)
	ninja -C $(ASAN_BUILD)
	ninja -C $(TSAN_BUILD)
	@status=0; \
	$(MESON_TEST) -C $(BUILD) || status=1; \
	$(MESON_TEST) -C $(ASAN_BUILD) || status=1; \
	$(MESON_TEST) -C $(TSAN_BUILD) --suite concurrency || status=1; \
	$(MAKE) --no-print-directory fuzz-build || status=1; \
	$(MAKE) --no-print-directory qemu-test || status=1; \
	scripts/test-summary.sh $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) $(FUZZ_BUILD) $(QEMU_TESTS); \
	exit $$status

# The prefix is the build's (vsgx looks for its data there); changing it rebuilds.
install: deps $(BUILD)/build.ninja
	meson configure $(BUILD) --prefix=$(abspath $(PREFIX))
	ninja -C $(BUILD)
	meson install -C $(BUILD) --no-rebuild $(if $(DESTDIR),--destdir $(abspath $(DESTDIR)))

check: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)
	@status=0; $(MESON_TEST) -C $(BUILD) || status=1; \
	scripts/test-summary.sh $(BUILD); exit $$status

deps-qemu:
	@scripts/install-deps.sh $(QEMU_DEPS)

# The QEMU build is reused until the series in qemu/patches changes.
qemu: deps deps-qemu $(BUILD)/build.ninja
	ninja -C $(BUILD)
	@qemu/build.sh $(BUILD) $(QEMU_CACHE) >$(BUILD)/qemu-path
	@echo "qemu: $$(cat $(BUILD)/qemu-path)"

guest: deps-qemu
	@guest/fetch.sh $(GUEST_CACHE) >/dev/null
	@guest/build.sh $(GUEST_CACHE) $(GUEST_OUT)

qemu-demo: qemu guest
	@scripts/qemu-demo.sh "$$(cat $(BUILD)/qemu-path)" $(GUEST_OUT)

# The guest tests: TAP in $(QEMU_TESTS)/meson-logs/testlog.txt, which the
# closing summary of make test counts with the other suites.
qemu-test: qemu guest
	@mkdir -p $(QEMU_TESTS)/meson-logs
	@echo "qemu-test: booting the guest on QEMU with vsgx (logs in $(QEMU_TESTS))"
	@tests/qemu/guest.sh "$$(cat $(BUILD)/qemu-path)" $(GUEST_OUT) $(QEMU_TESTS) \
		>$(QEMU_TESTS)/meson-logs/testlog.txt; status=$$?; \
	grep -E '^not ok' $(QEMU_TESTS)/meson-logs/testlog.txt; \
	echo "qemu-test: $$(grep -cE '^ok' $(QEMU_TESTS)/meson-logs/testlog.txt) passed, $$(grep -cE '^not ok' $(QEMU_TESTS)/meson-logs/testlog.txt) failed"; \
	exit $$status

$(FUZZ_BUILD)/build.ninja:
	CC=clang meson setup $(FUZZ_BUILD) -Dvectors=$(abspath $(VECTORS)) -Dfuzz=true \
		-Db_sanitize=address,undefined -Db_lundef=false

deps-fuzz:
	@scripts/install-deps.sh clang libclang-rt-14-dev

# Every target of the clang build, then the fuzz suite (tests/fuzz/smoke.sh):
# a change that stops make stress building or running fails make test.
.PHONY: fuzz-build
fuzz-build: deps deps-fuzz
	$(MAKE) --no-print-directory $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD)
	$(MESON_TEST) -C $(FUZZ_BUILD) --suite fuzz

stress: deps deps-fuzz $(TSAN_BUILD)/build.ninja $(BENCH_BUILD)/build.ninja
	$(MAKE) $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD)
	ninja -C $(TSAN_BUILD)
	ninja -C $(BENCH_BUILD) bench/bench-memory
	@scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)
	python3 tests/prop/scengen.py check --vsgx $(FUZZ_BUILD)/src/cli/vsgx \
		--first $(PROP_FIRST) --seeds $(PROP_SEEDS) --jobs $(PROP_JOBS) \
		--vsgx-args "$(PROP_VSGX_ARGS)" --keep $(PROP_KEEP)
	@scripts/soak.sh $(TSAN_BUILD) $(SOAK_ROUNDS)
	@scripts/lean.sh $(BENCH_BUILD)

$(BENCH_BUILD)/build.ninja:
	meson setup $(BENCH_BUILD) -Dvectors=$(abspath $(VECTORS)) --buildtype=release -Db_ndebug=true

bench: deps $(BENCH_BUILD)/build.ninja
	ninja -C $(BENCH_BUILD)
	@scripts/bench.sh $(BENCH_BUILD)

# The policies' comparison in docs/POLICIES.md: prints its tables (markdown)
# and redraws docs/img/policies-WORKLOAD-POLICY.svg.
policies: deps $(BENCH_BUILD)/build.ninja
	ninja -C $(BENCH_BUILD) bench/bench-policies
	$(BENCH_BUILD)/bench/bench-policies --svg docs/img

# Benchmarks of a real guest (docs/PERFORMANCE.md): boots the guest with SGX,
# without SGX and with mitigations=off, QEMU_BENCH_BOOTS times each.
bench-qemu: qemu guest
	@bench/qemu-guest.sh "$$(cat $(BUILD)/qemu-path)" $(GUEST_OUT) $(QEMU_BENCH) $(QEMU_BENCH_BOOTS)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) $(FUZZ_BUILD) $(BENCH_BUILD)
