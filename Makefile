# SPDX-License-Identifier: Apache-2.0
#
# Entry points for people and CI. The real build is CMake; this file only
# runs it in fixed build folders:
#   build/       release build with tests
#   build-asan/  the same suite under AddressSanitizer and UBSan
#   build-fuzz/  libFuzzer targets (clang), run briefly by `make check`
#
#   make demo    install a signed TA from a TAM into a simulated TEE, then stop
#   make check   all tests: unit, end to end, sanitizers, short fuzz runs

JOBS ?= 2
FUZZ_SECONDS ?= 15
CMAKE ?= cmake

# The CMake build runs make again; its Entering/Leaving lines are noise here.
MAKEFLAGS += --no-print-directory

.PHONY: all deps build demo check test asan fuzz lint-banned clean

all: build

deps:
	@scripts/install-deps --if-missing

build: deps
	$(CMAKE) -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
	$(CMAKE) --build build -j$(JOBS)

demo: build
	scripts/demo build

test: build
	cd build && ctest --output-on-failure -j$(JOBS)

asan: deps
	$(CMAKE) -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DTK_SANITIZE=ON
	$(CMAKE) --build build-asan -j$(JOBS)
	cd build-asan && ctest --output-on-failure -j$(JOBS)

fuzz: deps
	CC=clang-14 $(CMAKE) -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTK_FUZZ=ON
	$(CMAKE) --build build-fuzz -j$(JOBS)
	scripts/run-fuzz build-fuzz $(FUZZ_SECONDS)

lint-banned:
	scripts/check-banned

check: lint-banned test asan fuzz

clean:
	rm -rf build build-asan build-fuzz
