# A thin wrapper around Meson: set-up, build, and the project's jobs.
#   make demo    build and run the main job on the embedded default processor
#   make test    build plain and with ASan+UBSan and run every test; run the
#                concurrency tests again with ThreadSanitizer
#   make stress  long runs: fuzzers, then the concurrency tests many times under TSan
#   make bench   benchmarks, in a release build
BUILD      ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
FUZZ_BUILD ?= build-fuzz
BENCH_BUILD ?= build-release
VECTORS    ?= $(abspath ../shared/vectors)
FUZZ_SECONDS ?= 60
SOAK_ROUNDS ?= 50
MESON_TEST = meson test --print-errorlogs --num-processes 2

export ASAN_OPTIONS = detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS = halt_on_error=1:print_stacktrace=1
export TSAN_OPTIONS = halt_on_error=1:second_deadlock_stack=1

.PHONY: all deps deps-fuzz build demo test stress bench format clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) -Dvectors=$(VECTORS)

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) -Dvectors=$(VECTORS) -Db_sanitize=address,undefined \
		-Db_lundef=false -Dc_args=-fno-sanitize-recover=all

$(TSAN_BUILD)/build.ninja:
	meson setup $(TSAN_BUILD) -Dvectors=$(VECTORS) -Db_sanitize=thread -Db_lundef=false

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

demo: build
	@scripts/demo.sh $(BUILD)/src/cli/vsgx $(VECTORS)

test: deps $(BUILD)/build.ninja $(ASAN_BUILD)/build.ninja $(TSAN_BUILD)/build.ninja
	ninja -C $(BUILD)
	ninja -C $(ASAN_BUILD)
	ninja -C $(TSAN_BUILD)
	@status=0; \
	$(MESON_TEST) -C $(BUILD) || status=1; \
	$(MESON_TEST) -C $(ASAN_BUILD) || status=1; \
	$(MESON_TEST) -C $(TSAN_BUILD) --suite concurrency || status=1; \
	scripts/test-summary.sh $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD); \
	exit $$status

$(FUZZ_BUILD)/build.ninja:
	CC=clang meson setup $(FUZZ_BUILD) -Dvectors=$(VECTORS) -Dfuzz=true \
		-Db_sanitize=address,undefined -Db_lundef=false

deps-fuzz:
	@scripts/install-deps.sh clang libclang-rt-14-dev

stress: deps deps-fuzz $(TSAN_BUILD)/build.ninja
	$(MAKE) $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD)
	ninja -C $(TSAN_BUILD)
	@scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)
	@scripts/soak.sh $(TSAN_BUILD) $(SOAK_ROUNDS)

$(BENCH_BUILD)/build.ninja:
	meson setup $(BENCH_BUILD) -Dvectors=$(VECTORS) --buildtype=release -Db_ndebug=true

bench: deps $(BENCH_BUILD)/build.ninja
	ninja -C $(BENCH_BUILD)
	@scripts/bench.sh $(BENCH_BUILD)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) $(FUZZ_BUILD) $(BENCH_BUILD)
