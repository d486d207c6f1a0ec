# kakekomi — one non-recursive Makefile.
#   make            build build/kakekomid and build/kakekomictl
#   make run        install what is missing, build, start the relay with demo data
#   make test       install what is missing, build (plain and ASan+UBSan), run every test
#   make san        the sanitizer build in build/asan
#   make tsan       the daemon built with ThreadSanitizer in build/tsan
#   make fuzz       build the libFuzzer targets (clang) in build/fuzz and run each
#                   for FUZZ_SECONDS (default 60); see tests/fuzz/README.md
#   make format-check
#   make bench      install what is missing, build, measure on this machine against
#                   Prometheus Alertmanager; prints a table, writes bench/results/LATEST.md

CC      ?= cc
CFLAGS  ?= -O2 -g
BUILD   ?= build
PKGS    := libuv libmicrohttpd sqlite3 jansson libsodium inih libstrophe libcurl
TPKGS   := criterion libcurl libpq

# Warnings live in their own variable so that a user's CFLAGS cannot drop them.
WARN := -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
        -Wmissing-prototypes -Wconversion -Wformat=2 -Wvla -Werror
HARDEN := -fstack-protector-strong -fPIE -D_FORTIFY_SOURCE=2
HARDEN_LD := -pie -Wl,-z,relro,-z,now
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

ifeq ($(SAN),1)
HARDEN := -fPIE
CFLAGS := -O1 -g
EXTRA := $(SAN_FLAGS)
endif
# The ThreadSanitizer build of the daemon alone: `make test` runs the suites
# where the loop and the store's writer thread race (tests/tsan-suites)
# against it.
ifeq ($(SAN),thread)
HARDEN := -fPIE
CFLAGS := -O1 -g
EXTRA := -fsanitize=thread -fno-omit-frame-pointer
endif

# The fuzz build: clang with libFuzzer's coverage on every object. clang's
# -Wconversion also warns about int to enum, which gcc's does not.
FUZZ_SECONDS ?= 60
ifeq ($(FUZZ),1)
CC := clang
HARDEN := -fPIE
CFLAGS := -O1 -g
EXTRA := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
         -fno-sanitize-recover=undefined
WARN += -Wno-sign-conversion
endif

pc_cflags = $(shell pkg-config --cflags $(1) 2>/dev/null)
pc_libs   = $(shell pkg-config --libs $(1) 2>/dev/null)

ALL_CPPFLAGS := -D_GNU_SOURCE -Iinclude $(call pc_cflags,$(PKGS)) $(CPPFLAGS)
ALL_CFLAGS   := $(WARN) $(HARDEN) $(EXTRA) $(CFLAGS) -MMD -MP
ALL_LDFLAGS  := $(HARDEN_LD) $(EXTRA) $(LDFLAGS)
LIBS         := $(call pc_libs,$(PKGS)) -lcsv -lzxcvbn -lpthread -lm

MAINS    := daemon/main.c
LIB_SRC  := $(filter-out $(MAINS),$(wildcard daemon/*.c notify/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)

UNIT_SRC := $(wildcard tests/unit/*.c)
INT_SRC  := $(wildcard tests/integration/*.c)
SUP_SRC  := $(wildcard tests/support/*.c)
SUP_OBJ  := $(SUP_SRC:%.c=$(BUILD)/obj/%.o)
TEST_BIN := $(UNIT_SRC:tests/%.c=$(BUILD)/tests/%) $(INT_SRC:tests/%.c=$(BUILD)/tests/%)

# Fuzz targets: tests/fuzz/NAME.c each define LLVMFuzzerTestOneInput. The
# replay build (every build, so `make test` runs it under ASan and UBSan)
# links each with replay.c's main(); the fuzz build links it with libFuzzer.
FUZZ_TARGETS := form api_json playbook config roster command text answer stanza
FUZZ_SUP_OBJ := $(BUILD)/obj/tests/fuzz/support.o
REPLAY_BIN   := $(FUZZ_TARGETS:%=$(BUILD)/fuzz-replay/%)
FUZZ_BIN     := $(FUZZ_TARGETS:%=$(BUILD)/%)

.PHONY: all run test san tsan tests fuzz fuzz-build deps-build deps-run deps-test deps-fuzz format \
        format-check clean
all: $(BUILD)/kakekomid $(BUILD)/kakekomictl

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/obj/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -Itests/support $(call pc_cflags,$(TPKGS)) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/kakekomid: $(BUILD)/obj/daemon/main.o $(LIB_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/kakekomictl: $(BUILD)/obj/tools/kakekomictl.o $(LIB_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(SUP_OBJ) $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(call pc_libs,$(TPKGS))

$(REPLAY_BIN): $(BUILD)/fuzz-replay/%: $(BUILD)/obj/tests/fuzz/%.o $(BUILD)/obj/tests/fuzz/replay.o \
               $(FUZZ_SUP_OBJ) $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(FUZZ_BIN): $(BUILD)/%: $(BUILD)/obj/tests/fuzz/%.o $(FUZZ_SUP_OBJ) $(LIB_OBJ)
	$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS)

tests: all $(TEST_BIN) $(REPLAY_BIN)

fuzz-build: $(FUZZ_BIN)

fuzz: deps-fuzz
	$(MAKE) FUZZ=1 BUILD=build/fuzz fuzz-build
	KK_SRC=$(CURDIR) tests/fuzz/run build/fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

san:
	$(MAKE) SAN=1 BUILD=build/asan tests

tsan:
	$(MAKE) SAN=thread BUILD=build/tsan all

deps-build deps-run deps-test deps-fuzz: deps-%:
	@scripts/install-deps $*

run: deps-run
	$(MAKE) all
	scripts/run-demo

test: deps-test
	$(MAKE) tests
	$(MAKE) san
	$(MAKE) tsan
	KK_SRC=$(CURDIR) KK_TSAN_BUILD=build/tsan scripts/run-tests build/asan

format:
	clang-format -i daemon/*.c notify/*.c tools/*.c include/*.h

format-check:
	clang-format --dry-run --Werror daemon/*.c notify/*.c tools/*.c include/*.h

# make bench: figures, never assertions; see bench/README.md.
BENCH_TOOLS := $(BUILD)/bench/kk-bench-xmpp $(BUILD)/bench/kk-bench-webhook
BENCH_LIB   := $(BUILD)/obj/bench/benchlib.o
BENCH_SUP   := $(BUILD)/obj/tests/support/harness.o $(BUILD)/obj/tests/support/proc.o

.PHONY: bench bench-tools deps-bench
$(BUILD)/obj/bench/%.o: bench/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -Itests/support $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/bench/kk-bench-xmpp: $(BUILD)/obj/bench/kk-bench-xmpp.o $(BENCH_LIB) $(BENCH_SUP) \
                              $(BUILD)/obj/tests/support/prosody.o \
                              $(BUILD)/obj/tests/support/specialist.o
$(BUILD)/bench/kk-bench-webhook: $(BUILD)/obj/bench/kk-bench-webhook.o $(BENCH_LIB) $(BENCH_SUP)
$(BENCH_TOOLS):
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(call pc_libs,$(TPKGS))

bench-tools: all $(BENCH_TOOLS)

deps-bench:
	@scripts/install-deps bench

bench: deps-bench
	$(MAKE) bench-tools
	python3 bench/run.py --build $(BUILD) --cc "$(CC)" --cflags "$(CFLAGS)"

# The coordinators' side: the specialist's chat app on the command line
# (for the browser tests), the figures' benchmark, the browser tests.
KK_TOOLS := $(BUILD)/tools/kk-specialist $(BUILD)/tools/kk-prosody
$(BUILD)/tools/kk-specialist: $(BUILD)/obj/tests/tools/kk-specialist.o \
                              $(BUILD)/obj/tests/support/specialist.o \
                              $(BUILD)/obj/tests/support/proc.o
$(BUILD)/tools/kk-prosody: $(BUILD)/obj/tests/tools/kk-prosody.o $(BUILD)/obj/tests/support/prosody.o \
                           $(BUILD)/obj/tests/support/proc.o
$(KK_TOOLS):
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)
tests: $(KK_TOOLS)

$(BUILD)/bench/kk-bench-stats: $(BUILD)/obj/bench/kk-bench-stats.o $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

.PHONY: bench-stats browser-test
# Stats query time at 10^4, 10^5 and 10^6 cases; prints a table and writes
# bench/results/stats.md. A measurement: nothing passes or fails on a time.
bench-stats: all $(BUILD)/bench/kk-bench-stats
	KK_SRC=$(CURDIR) bench/bench-stats $(BUILD)

# The browser tests alone, against this build (make test runs them too).
browser-test: deps-test tests
	KK_SRC=$(CURDIR) KK_BUILD=$(BUILD) tests/browser/run

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
