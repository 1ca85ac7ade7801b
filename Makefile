# Thin wrapper around CMake. See README.md for the commands.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= 2
CMAKE_FLAGS ?=

.PHONY: all deps test test-fast test-asan demo bench clean

all: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

deps:
	@sh scripts/deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

# Everything: the Release suite, then the same suite under ASan + UBSan.
test: test-fast test-asan

test-fast: all
	cd $(BUILD) && ctest --output-on-failure --timeout 600

test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DPARGNN_SANITIZE=ON $(CMAKE_FLAGS)
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure --timeout 600

demo: all
	@sh scripts/demo.sh $(BUILD)/pargnn

bench: all
	@sh bench/run.sh $(BUILD)/pargnn

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
