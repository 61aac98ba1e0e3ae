# tvp: two programs from the same common objects, one runner each.

PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
PKGS     := libmd libbsd-overlay libcrypto libxxhash
TEST_PKGS := cunit
# Debian packages that provide the above (make deps installs them).
DEB_PKGS := build-essential pkg-config libbsd-dev libmd-dev libssl-dev \
            libxxhash-dev libcunit1-dev xxhash shellcheck \
            valgrind cppcheck clang-tidy python3 python3-xxhash

WARN     := -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wcast-qual \
            -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith \
            -Wvla -Wwrite-strings -Wundef
CFLAGS   ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L \
             $(WARN) $(CFLAGS) $(SAN_$(SAN)) $(EXTRA_CFLAGS) -Icommon \
             -pthread -MMD -MP \
             $(shell pkg-config --cflags $(PKGS))
LDLIBS_ALL = $(shell pkg-config --libs $(PKGS)) -pthread -lrt
BUILD    ?= build
BINDIR   := bin

# Sanitized builds: `make asan check`, `make tsan check`.  Their objects
# and programs live in a build directory of their own, so they never mix
# with the normal ones, and their tests exec their own programs.
SAN := $(filter asan tsan,$(MAKECMDGOALS))
ifneq ($(words $(SAN)),0)
ifneq ($(words $(SAN)),1)
$(error asan and tsan cannot be combined in one build)
endif
ifneq ($(filter valgrind,$(MAKECMDGOALS)),)
$(error valgrind runs the normal build; run it without $(SAN))
endif
BUILD    := build-$(SAN)
BINDIR   := $(BUILD)/bin
endif
SAN_asan := -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=all
SAN_tsan := -fsanitize=thread
# Run-time options, exported to the tests and the programs they exec.
# Leaks are errors.  handle_segv=0: a SEGV is left to the kernel, so that
# a worker that --fault crash kills with raise(SIGSEGV) dies of the
# signal, as it does unsanitized, instead of the sanitizer printing a
# report and turning it into exit status 1.  die_after_fork=0: a child
# forked from a threaded process may start threads (the background
# workload shows what outlives a program that way); TSan would kill it.
# tests/tsan.supp: only for what the code does on purpose, with why.
ASAN_OPTIONS  ?= detect_leaks=1:abort_on_error=0:handle_segv=0
UBSAN_OPTIONS ?= print_stacktrace=1:halt_on_error=1
TSAN_BASE     := halt_on_error=1:second_deadlock_stack=1:handle_segv=0
TSAN_SUPP     := suppressions=$(CURDIR)/tests/tsan.supp
TSAN_OPTIONS  ?= $(TSAN_BASE):die_after_fork=0:$(TSAN_SUPP)
export ASAN_OPTIONS UBSAN_OPTIONS TSAN_OPTIONS
# GCC 12's TSan knows the memory layout of at most 28 bits of mmap
# randomness; a kernel set to more (vm.mmap_rnd_bits = 32, the default on
# some distributions) makes it die with "unexpected memory mapping".  Then
# its tests run with ASLR off; children inherit that.  Not needed at 28.
ifeq ($(SAN),tsan)
ifeq ($(shell test "$$(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || \
    echo 0)" -gt 28 && echo y),y)
TEST_RUN := setarch -R
endif
endif

COMMON_SRC := $(sort $(wildcard common/*/*.c))
LIB_SRC    := $(filter-out common/core/main.c,$(COMMON_SRC))
LIB_OBJ    := $(LIB_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ   := $(BUILD)/common/core/main.o
TEST_SRC   := $(sort $(wildcard tests/*.c))
TEST_OBJ   := $(TEST_SRC:%.c=$(BUILD)/%.o)
PROGRAMS   := $(BINDIR)/tvp-threads $(BINDIR)/tvp-processes
TESTS      := $(BUILD)/test-threads $(BUILD)/test-processes

.PHONY: all check clean install deps asan tsan valgrind lint
.SECONDARY: $(LIB_OBJ) $(MAIN_OBJ) $(TEST_OBJ) $(BUILD)/threads/runner.o \
    $(BUILD)/processes/runner.o
all: $(PROGRAMS)

# Only select the sanitized build above; with no other goal, build it.
asan tsan: $(PROGRAMS) $(TESTS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# The tests exec the programs of their own build (tests.h).
$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DTVP_BINDIR='"$(BINDIR)"' -c $< -o $@

$(BINDIR)/tvp-%: $(LIB_OBJ) $(MAIN_OBJ) $(BUILD)/%/runner.o
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS_ALL)

$(BUILD)/test-%: $(LIB_OBJ) $(TEST_OBJ) $(BUILD)/%/runner.o
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS_ALL) \
	    $(shell pkg-config --libs $(TEST_PKGS))

# Both test binaries run every suite: the same tests against each runner.
check: $(PROGRAMS) $(TESTS)
	$(TEST_RUN) $(BUILD)/test-threads
	$(TEST_RUN) $(BUILD)/test-processes

# Every registered workload, both modes, under valgrind (memory errors,
# definite leaks, in forked workers too); see tests/valgrind.sh.
valgrind: $(PROGRAMS)
	tests/valgrind.sh $(BINDIR)

# Static checks.  cppcheck: warning, style, performance, portability, with
# the POSIX library model; what is off, and why, is in
# .cppcheck-suppressions.xml, or inline next to the code.  clang-tidy's
# checks and why are in .clang-tidy; it runs one file per invocation,
# because given several it carries analyzer state from one to the next
# (a false "uninitialized va_list" in worker.c after dataset.c).
LINT_SRC := $(COMMON_SRC) threads/runner.c processes/runner.c $(TEST_SRC)
LINT_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L $(WARN) \
              -Icommon -pthread $(shell pkg-config --cflags $(PKGS))
lint:
	cppcheck --quiet --std=c11 --library=posix --error-exitcode=1 \
	    --enable=warning,style,performance,portability --inline-suppr \
	    --suppress-xml=.cppcheck-suppressions.xml \
	    -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -Icommon -Itests \
	    $(LINT_SRC)
	printf '%s\n' $(LINT_SRC) | xargs -P "$$(nproc)" -n 1 sh -c \
	    'out=$$(clang-tidy --quiet "$$0" -- $(LINT_CFLAGS) 2>&1); rc=$$?; \
	    printf "%s\n" "$$out" | grep -v "warnings* generated\.$$"; \
	    exit $$rc'
	@echo "lint: cppcheck and clang-tidy clean"

install: $(PROGRAMS)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/tvp
	install -m 755 $(PROGRAMS) $(DESTDIR)$(PREFIX)/bin/
	install -m 755 compare.sh $(DESTDIR)$(PREFIX)/share/tvp/compare.sh

deps:
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	$$SUDO apt-get update -qq && \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    $(DEB_PKGS)

clean:
	rm -rf $(BUILD) build build-asan build-tsan bin

-include $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(TEST_OBJ:.o=.d) \
    $(BUILD)/threads/runner.d $(BUILD)/processes/runner.d
