# libvmsim: two commands on a fresh Debian 12 machine.
#   make demo    build, then run the guided tour
#   make check   build, then run every test
#   make fuzz    build the libFuzzer target with clang, fuzz for FUZZ_TIME s
#   make soak    build, then run SEEDS random scenarios from seed FROM
#   make install [PREFIX=DIR]
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_TIME ?= 60
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
SEEDS ?= 5000
FROM ?= 1

.PHONY: all deps build demo check check-asan fuzz soak bench soak-swap clean install

all: build

deps:
	@sh scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# The tour, not the build, is what a newcomer should read: the build's
# output goes to a log (shown only if it fails).
demo: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	@echo "building libvmsim (log: $(BUILD)/build.log) ..."
	@cmake --build $(BUILD) -j $(JOBS) >$(BUILD)/build.log 2>&1 || { tail -n 40 $(BUILD)/build.log; exit 1; }
	@sh scripts/demo.sh $(BUILD)

check: build
	@ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# The same tests under AddressSanitizer + UBSan, built with clang.
check-asan:
	@sh scripts/deps.sh --asan
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DVMSIM_SANITIZE=ON \
		-DCMAKE_C_COMPILER=$${CC_ASAN:-clang} >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS)

# The parser and small simulator runs under libFuzzer+ASan+UBSan.  New
# inputs go to $(FUZZ_BUILD)/corpus; the checked-in seeds stay as they are;
# a crash is written to $(FUZZ_BUILD)/crash-* and fails the target.
fuzz:
	@sh scripts/deps.sh --fuzz
	@cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVMSIM_FUZZ=ON \
		-DVMSIM_TESTS=OFF -DCMAKE_C_COMPILER=clang >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_script
	@mkdir -p $(FUZZ_BUILD)/corpus
	@$(FUZZ_BUILD)/fuzz/fuzz_script -max_total_time=$(FUZZ_TIME) -timeout=10 \
		-rss_limit_mb=2048 -max_len=4096 -dict=fuzz/vms.dict \
		-artifact_prefix=$(FUZZ_BUILD)/ -print_final_stats=1 \
		$(FUZZ_BUILD)/corpus fuzz/corpus

# Random valid scenarios under check=full (sim-tests/gen/README.md): every
# failure is minimised and printed; scripts go to $(BUILD)/soak.
soak: build
	@$(BUILD)/sim-tests/gen/vmsgen soak --vmsim $(BUILD)/vmsim --seeds $(SEEDS) --from $(FROM) \
		--known sim-tests/gen/known.txt --out $(BUILD)/soak

bench: build
	@sh scripts/bench.sh $(BUILD)

# A million random operations under memory pressure (4 MiB of RAM, about a
# quarter of what the processes touch, 64 MiB of swap) with check=full and a
# data model (sim-tests/sim/check_swap_stress.c); SOAK_OPS, SOAK_SEED and
# SOAK_MACHINE change it.
soak-swap: build
	@SOAK_OPS=$${SOAK_OPS:-1000000} SOAK_VERBOSE=1 CK_FORK=no $(BUILD)/sim-tests/sim_check_swap_stress

# Into CMake's prefix (/usr/local), or PREFIX=DIR; DESTDIR is honoured.
install: build
	@cmake --install $(BUILD) $(if $(PREFIX),--prefix $(PREFIX))

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
