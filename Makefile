# A thin wrapper around Meson: set-up, build, and the project's jobs.
#   make demo    build and run the main job on the embedded default processor
#   make test    build twice (plain, and with ASan+UBSan) and run every test
#   make stress  long runs: fuzzers and stress tests
#   make bench   benchmarks, in a release build
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
BENCH_BUILD ?= build-release
VECTORS    ?= $(abspath ../shared/vectors)
FUZZ_SECONDS ?= 60
MESON_TEST = meson test --print-errorlogs --num-processes 2

export ASAN_OPTIONS = detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS = halt_on_error=1:print_stacktrace=1

.PHONY: all deps deps-fuzz build demo test stress bench format clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) -Dvectors=$(VECTORS)

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) -Dvectors=$(VECTORS) -Db_sanitize=address,undefined \
		-Db_lundef=false -Dc_args=-fno-sanitize-recover=all

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

demo: build
	@scripts/demo.sh $(BUILD)/src/cli/vsgx $(VECTORS)

test: deps $(BUILD)/build.ninja $(ASAN_BUILD)/build.ninja
	ninja -C $(BUILD)
	ninja -C $(ASAN_BUILD)
	@status=0; \
	$(MESON_TEST) -C $(BUILD) || status=1; \
	$(MESON_TEST) -C $(ASAN_BUILD) || status=1; \
	scripts/test-summary.sh $(BUILD) $(ASAN_BUILD); \
	exit $$status

$(FUZZ_BUILD)/build.ninja:
	CC=clang meson setup $(FUZZ_BUILD) -Dvectors=$(VECTORS) -Dfuzz=true \
		-Db_sanitize=address,undefined -Db_lundef=false

deps-fuzz:
	@scripts/install-deps.sh clang libclang-rt-14-dev

stress: deps deps-fuzz
	$(MAKE) $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD)
	@scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

$(BENCH_BUILD)/build.ninja:
	meson setup $(BENCH_BUILD) -Dvectors=$(VECTORS) --buildtype=release -Db_ndebug=true

bench: deps $(BENCH_BUILD)/build.ninja
	ninja -C $(BENCH_BUILD)
	@scripts/bench.sh $(BENCH_BUILD)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) $(BENCH_BUILD)
