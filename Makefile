# Makefile: builds eddy (library, CLI, tests) and runs it.
#
#   make        build build/eddy, build/libeddy.a and build/libeddy.so (optimised)
#   make run    build, then `eddy server` with the fraud example (examples/fraud/) loaded
#   make test   install missing build packages, build with ASan+UBSan, run every test
#
# Two build trees: build/ (release, -O2) and build/asan/ (tests, sanitizers). Object files depend
# on the headers they include (-MMD), so a header change rebuilds exactly what it must.

CC      ?= cc
CFLAGS_COMMON = -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wvla \
                -Wstrict-prototypes -Isrc -Iinclude -pthread -fPIC -MMD -MP
CFLAGS_REL  = $(CFLAGS_COMMON) -O2 -g -DNDEBUG -march=x86-64-v2
CFLAGS_ASAN = $(CFLAGS_COMMON) -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
              -fno-sanitize-recover=undefined -march=x86-64-v2
LIBS    = -lxxhash -llz4 -lzstd -llmdb -lmicrohttpd -lpcre2-8 -lssl -lcrypto -lm -lpthread
TESTLIBS = -lcmocka -lsqlite3 -lpq

LIB_SRCS  = $(filter-out src/cli/%,$(wildcard src/*/*.c))
CLI_SRCS  = $(wildcard src/cli/*.c)
UNIT_SRCS = $(wildcard tests/unit/test_*.c)
TOOL_SRCS = $(wildcard tests/tools/*.c)
CRASH_SRCS = $(wildcard tests/crash/*.c)
FUZZ_SRCS = $(wildcard tests/fuzz/*.c)

REL  = build
ASAN = build/asan

# `make V=1` shows every command; by default one short line per file.
ifeq ($(V),1)
Q =
say = @true
else
Q = @
say = @printf '  %-6s %s\n'
endif

rel_obj  = $(patsubst %.c,$(REL)/obj/%.o,$(1))
asan_obj = $(patsubst %.c,$(ASAN)/obj/%.o,$(1))

.PHONY: all run test deps clean check-layers

all: $(REL)/eddy $(REL)/libeddy.a $(REL)/libeddy.so

deps:
	@sh tools/install-deps.sh

# ---- release build
$(REL)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(CFLAGS_REL) -c $< -o $@

$(REL)/libeddy.a: $(call rel_obj,$(LIB_SRCS))
	@rm -f $@
	$(say) AR $@
	$(Q)ar rcs $@ $^

$(REL)/libeddy.so: $(call rel_obj,$(LIB_SRCS))
	$(say) LD $@
	$(Q)$(CC) $(CFLAGS_REL) -shared -o $@ $^ $(LIBS)

$(REL)/eddy: $(call rel_obj,$(CLI_SRCS)) $(REL)/libeddy.a
	$(say) LD $@
	$(Q)$(CC) $(CFLAGS_REL) -o $@ $^ $(LIBS)

# Test tools that measure speed or size run optimised (tests/integration/nexmark_state.sh); a
# copy in the sanitizer tree lets tests/run.sh's scripts find them from EDDY_BUILD.
$(REL)/tools/%: tests/tools/%.c $(REL)/libeddy.a
	@mkdir -p $(dir $@)
	$(say) LD $@
	$(Q)$(CC) $(CFLAGS_REL) -o $@ $< $(REL)/libeddy.a $(LIBS) $(TESTLIBS)

$(ASAN)/rel/%: $(REL)/tools/%
	@mkdir -p $(dir $@)
	$(Q)cp $< $@

# ---- sanitizer build for tests
$(ASAN)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(CFLAGS_ASAN) -c $< -o $@

$(ASAN)/libeddy.a: $(call asan_obj,$(LIB_SRCS))
	@rm -f $@
	$(say) AR $@
	$(Q)ar rcs $@ $^

$(ASAN)/eddy: $(call asan_obj,$(CLI_SRCS)) $(ASAN)/libeddy.a
	$(say) LD $@
	$(Q)$(CC) $(CFLAGS_ASAN) -o $@ $^ $(LIBS)

$(ASAN)/tests/%: tests/unit/%.c $(ASAN)/libeddy.a
	@mkdir -p $(dir $@)
	$(say) LD $@
	$(Q)$(CC) $(CFLAGS_ASAN) -o $@ $< $(ASAN)/libeddy.a $(LIBS) $(TESTLIBS)

$(ASAN)/tools/%: tests/tools/%.c $(ASAN)/libeddy.a
	@mkdir -p $(dir $@)
	$(say) LD $@
	$(Q)$(CC) $(CFLAGS_ASAN) -o $@ $< $(ASAN)/libeddy.a $(LIBS) $(TESTLIBS)

$(ASAN)/crash/%: tests/crash/%.c $(ASAN)/libeddy.a
	@mkdir -p $(dir $@)
	$(say) LD $@
	$(Q)$(CC) $(CFLAGS_ASAN) -o $@ $< $(ASAN)/libeddy.a $(LIBS) $(TESTLIBS)

# Fuzz targets: LLVMFuzzerTestOneInput plus a main() running a fixed number of inputs
# (tests/integration/fuzz.sh runs them; docs/testing.md has the libFuzzer command).
$(ASAN)/fuzz/%: tests/fuzz/%.c $(ASAN)/libeddy.a
	@mkdir -p $(dir $@)
	$(say) LD $@
	$(Q)$(CC) $(CFLAGS_ASAN) -o $@ $< $(ASAN)/libeddy.a $(LIBS)

$(ASAN)/examples/embed: examples/embed.c $(ASAN)/libeddy.a
	@mkdir -p $(dir $@)
	$(say) LD $@
	$(Q)$(CC) $(CFLAGS_ASAN) -o $@ $< $(ASAN)/libeddy.a $(LIBS)

UNIT_BINS = $(patsubst tests/unit/%.c,$(ASAN)/tests/%,$(UNIT_SRCS))
TOOL_BINS = $(patsubst tests/tools/%.c,$(ASAN)/tools/%,$(TOOL_SRCS))
CRASH_BINS = $(patsubst tests/crash/%.c,$(ASAN)/crash/%,$(CRASH_SRCS))
FUZZ_BINS = $(patsubst tests/fuzz/%.c,$(ASAN)/fuzz/%,$(FUZZ_SRCS))

test-build: $(ASAN)/eddy $(UNIT_BINS) $(TOOL_BINS) $(CRASH_BINS) $(FUZZ_BINS) $(ASAN)/examples/embed \
            $(ASAN)/rel/state_probe

test: deps
	@$(MAKE) --no-print-directory check-layers
	@$(MAKE) --no-print-directory -j$$(nproc) test-build
	@sh tests/run.sh $(ASAN)

run: deps
	@$(MAKE) --no-print-directory -j$$(nproc) all
	@sh examples/fraud/run.sh $(REL)/eddy

check-layers:
	@sh tools/check-layers.sh

clean:
	rm -rf build

-include $(shell find $(REL) $(ASAN) -name '*.d' 2>/dev/null)
