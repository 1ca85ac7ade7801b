# Thin wrapper around CMake. See README.md for the commands.
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
JOBS       ?= 2
CMAKE_FLAGS ?=

.PHONY: all deps test test-fast test-asan test-large demo bench fuzz clean

all: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

deps:
	@sh scripts/deps.sh

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

# Everything: the Release suite, then the same suite under ASan + UBSan.
test: test-fast test-asan

test-fast: all
	cd $(BUILD) && ctest --output-on-failure --timeout 600 -LE large

test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DPARGNN_SANITIZE=ON $(CMAKE_FLAGS)
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure --timeout 600 -LE large

# Tests that need several GiB and minutes (label "large": a CSR past 2^31 non-zeros).
test-large: all
	cd $(BUILD) && ctest -L large --output-on-failure

demo: all
	@sh scripts/demo.sh $(BUILD)/pargnn

bench: all
	@sh bench/run.sh $(BUILD)/pargnn

# libFuzzer (clang) on every parser for FUZZ_SECONDS each, seeded from tests/corpus.
fuzz:
	@sh scripts/deps.sh fuzz
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DPARGNN_FUZZ=ON -DFUZZ_SECONDS=$(FUZZ_SECONDS) $(CMAKE_FLAGS)
	cmake --build $(FUZZ_BUILD) -j$(JOBS)
	cd $(FUZZ_BUILD) && ctest -L fuzz --output-on-failure

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
