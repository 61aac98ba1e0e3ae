# tvp: two programs from the same common objects, one runner each.
#
#   make                    bin/tvp-threads and bin/tvp-processes, and
#                           bin/tvp-mpi (the ranks of an Open MPI job)
#   make check              the CUnit suites against both programs, then
#                           tests/install.sh (make install into a temp dir)
#   make SANITIZE=address   ASan + UBSan build in build-asan/ (alias: asan)
#   make SANITIZE=thread    TSan build in build-tsan/ (alias: tsan); with
#                           check, the tests run the sanitized programs
#   make install            into $(DESTDIR)$(PREFIX) (/usr/local); make
#                           uninstall removes what it put there
#   make lint, valgrind, deps, clean

PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
PKGS     := libmd libbsd-overlay libcrypto libxxhash
TEST_PKGS := cunit
# Debian packages that provide the above (make deps installs them), and
# the tools of the checks: man-db's man renders tvp.1 in tests/install.sh.
DEB_PKGS := build-essential pkg-config libbsd-dev libmd-dev libssl-dev \
            libxxhash-dev libcunit1-dev xxhash shellcheck \
            valgrind cppcheck clang-tidy man-db python3 gnuplot-nox \
            python3-xxhash openmpi-bin libopenmpi-dev

# Where make install puts things.  DESTDIR (a staging root) is put in
# front of each only when copying: the installed compare.sh is told the
# final bindir.
bindir   = $(PREFIX)/bin
sharedir = $(PREFIX)/share/tvp
docdir   = $(PREFIX)/share/doc/tvp
man1dir  = $(PREFIX)/share/man/man1

# pkg-config's answers.  Each runs pkg-config once per make, the first
# time a recipe uses it: the variable then replaces itself with a simple
# (:=) one holding the answer, so later expansions (every compile and
# link) reuse it.  Goals that compile nothing (a build with nothing to
# do, clean, deps before pkg-config is installed, uninstall) run none,
# and a build without the tests does not need cunit.
PKG_CFLAGS = $(eval PKG_CFLAGS := $$(shell pkg-config --cflags $(PKGS)))$(PKG_CFLAGS)
TEST_LIBS  = $(eval TEST_LIBS := $$(shell pkg-config --libs $(TEST_PKGS)))$(TEST_LIBS)
# Open MPI, for bin/tvp-mpi only (mpi/): the other programs never see it.
MPI_PKG    := ompi-c
MPI_CFLAGS = $(eval MPI_CFLAGS := $$(shell pkg-config --cflags $(MPI_PKG)))$(MPI_CFLAGS)
MPI_LIBS   = $(eval MPI_LIBS := $$(shell pkg-config --libs $(MPI_PKG)))$(MPI_LIBS)

STD      := -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L
WARN     := -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wcast-qual \
            -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith \
            -Wvla -Wwrite-strings -Wundef
CFLAGS   ?= -O2 -g
ALL_CFLAGS = $(STD) $(WARN) $(CFLAGS) $(SAN_$(SAN)) $(EXTRA_CFLAGS) \
             -Icommon -pthread -MMD -MP $(PKG_CFLAGS)
# Every symbol bound when a program starts (BIND_NOW), not at its first
# call: bound lazily, each forked worker resolved again every libc
# function its parent had not called yet (prctl, sigaction, getrusage,
# _exit...), a symbol lookup and a copy-on-write fault on the GOT each,
# about ten faults a child; tvp and the raw programs of bench/ alike.
LINK_NOW := -Wl,-z,now
# libbsd, libcrypto and libmd are linked into the programs, not beside
# them: each shared library is four or five more mappings in every
# process, and fork copies every mapping, so a worker process paid for
# tvp's libraries (49 mappings against a plain C program's 25; the
# record's maps column says how many a run had).  libxxhash stays shared:
# Debian's static archive lacks its SIMD dispatcher (xxh_x86dispatch).
# Lazy like the PKG_ variables above: pkg-config once, when first linked.
STATIC_PKGS := libbsd-overlay libcrypto libmd
STATIC_L    = $(eval STATIC_L := $$(shell pkg-config --libs-only-l $(STATIC_PKGS)))$(STATIC_L)
STATIC_ALL  = $(eval STATIC_ALL := $$(shell pkg-config --static --libs $(STATIC_PKGS)))$(STATIC_ALL)
XXH_LIBS    = $(eval XXH_LIBS := $$(shell pkg-config --libs libxxhash))$(XXH_LIBS)
LDLIBS_ALL  = -Wl,-Bstatic $(STATIC_L) -Wl,-Bdynamic \
              $(filter-out $(STATIC_L),$(STATIC_ALL)) $(XXH_LIBS) -pthread -lrt
BUILD    ?= build
BINDIR   := bin

# Sanitized builds, one switch (as in git's Makefile): SANITIZE=address
# is AddressSanitizer + UndefinedBehaviorSanitizer, SANITIZE=thread is
# ThreadSanitizer.  The goals asan and tsan are aliases: `make asan check`
# is `make SANITIZE=address check`.  Objects and programs live in a build
# directory of their own, so they never mix with the normal ones, and the
# tests exec the programs of their own build.
SANITIZE_asan := address
SANITIZE_tsan := thread
SAN_GOAL := $(sort $(filter asan tsan,$(MAKECMDGOALS)))
ifneq ($(words $(SAN_GOAL)),0)
ifneq ($(words $(SAN_GOAL)),1)
$(error asan and tsan cannot be combined in one build)
endif
ifneq ($(filter-out $(SANITIZE_$(SAN_GOAL)),$(SANITIZE)),)
$(error make $(SAN_GOAL) is SANITIZE=$(SANITIZE_$(SAN_GOAL)), not SANITIZE=$(SANITIZE))
endif
override SANITIZE := $(SANITIZE_$(SAN_GOAL))
endif
ifeq ($(SANITIZE),)
SAN :=
else ifeq ($(SANITIZE),address)
SAN := asan
else ifeq ($(SANITIZE),thread)
SAN := tsan
else
$(error unknown SANITIZE=$(SANITIZE): use SANITIZE=address (ASan and UBSan) or SANITIZE=thread (TSan))
endif
ifneq ($(SAN),)
ifneq ($(filter valgrind,$(MAKECMDGOALS)),)
$(error valgrind runs the normal build; run it without SANITIZE=$(SANITIZE) or $(SAN))
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
# The third form: the same LIB_OBJ, its own main (inside MPI_Init and
# MPI_Finalize) and runner.
MPI_PROG   := $(BINDIR)/tvp-mpi
MPI_OBJ    := $(BUILD)/mpi/main.o $(BUILD)/mpi/runner.o
TESTS      := $(BUILD)/test-threads $(BUILD)/test-processes
BENCH_NAMES := empty spawn counter hash fileread
BENCH_PROGS := $(BENCH_NAMES:%=$(BUILD)/bench/raw-%)

.PHONY: all check clean install uninstall deps asan tsan valgrind lint \
    bench bench-programs
.SECONDARY: $(LIB_OBJ) $(MAIN_OBJ) $(TEST_OBJ) $(BUILD)/threads/runner.o \
    $(BUILD)/processes/runner.o $(BUILD)/bench/raw.o $(MPI_OBJ) \
    $(BENCH_NAMES:%=$(BUILD)/bench/raw_%.o)
all: $(PROGRAMS) $(MPI_PROG) $(BENCH_PROGS)

# Aliases: they only select SANITIZE above; with no other goal, they build
# the programs, the tests and the raw reference programs.
asan tsan: $(PROGRAMS) $(MPI_PROG) $(TESTS) $(BENCH_PROGS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# The tests exec the programs of their own build (tests.h).
$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DTVP_BINDIR='"$(BINDIR)"' \
	    -DTVP_BENCHDIR='"$(BUILD)/bench"' -c $< -o $@

$(BUILD)/mpi/%.o: mpi/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -I. $(MPI_CFLAGS) -c $< -o $@

$(MPI_PROG): $(LIB_OBJ) $(MPI_OBJ)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LINK_NOW) $(LDFLAGS) -o $@ $^ $(LDLIBS_ALL) $(MPI_LIBS)

$(BINDIR)/tvp-%: $(LIB_OBJ) $(MAIN_OBJ) $(BUILD)/%/runner.o
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LINK_NOW) $(LDFLAGS) -o $@ $^ $(LDLIBS_ALL)

$(BUILD)/test-%: $(LIB_OBJ) $(TEST_OBJ) $(BUILD)/%/runner.o
	$(CC) $(ALL_CFLAGS) $(LINK_NOW) $(LDFLAGS) -o $@ $^ $(LDLIBS_ALL) $(TEST_LIBS)

# Both test binaries run every suite: the same tests against each runner
# (and the raw programs' records against tvp's).
# Then make install and uninstall, into a temporary directory, of this
# build's programs (tests/install.sh runs make again, told SANITIZE).
# Then the report program's tests (Python unittest, with Debian's python3:
# its statistics on fixed inputs, plots rendered and checked, compare.sh's
# flags on tiny runs of bin/); not in a sanitized build, which tests C.
PYTHON := /usr/bin/python3
check: $(PROGRAMS) $(MPI_PROG) $(TESTS) $(BENCH_PROGS)
	$(TEST_RUN) $(BUILD)/test-threads
	$(TEST_RUN) $(BUILD)/test-processes
	tests/mpi.sh $(BINDIR)$(if $(SAN), $(SAN))
	$(TEST_RUN) tests/install.sh$(if $(SANITIZE), SANITIZE=$(SANITIZE))
ifeq ($(SAN),)
	$(PYTHON) tests/report/run.py
endif

# Every registered workload, both modes, under valgrind (memory errors,
# definite leaks, in forked workers too); see tests/valgrind.sh.
valgrind: $(PROGRAMS)
	tests/valgrind.sh $(BINDIR)

# The raw reference programs (bench/): each the bare operation, printing
# one record through tvp's own record.c so that the columns are tvp's.
# Only libc is linked dynamically into the ones that fork, as into any
# plain program; libbsd (strlcpy, errc for the printing) and libmd (the
# hash check) are linked statically, so they add no mapping to fork.
BENCH_STATIC := -Wl,-Bstatic -lbsd -lmd -Wl,-Bdynamic -pthread
BENCH_LIBS_hash := -lcrypto
BENCH_LIBS_fileread := -lxxhash
bench-programs: $(BENCH_PROGS)

$(BUILD)/bench/raw-%: $(BUILD)/bench/raw_%.o $(BUILD)/bench/raw.o \
    $(BUILD)/common/core/record.o
	$(CC) $(ALL_CFLAGS) $(LINK_NOW) $(LDFLAGS) -o $@ $^ $(BENCH_LIBS_$*) $(BENCH_STATIC)

# tvp against the raw programs, case by case (report/tvpreport/cases.py,
# FIDELITY), through compare.sh's driver and the report program's
# statistics: `make bench`, or `make bench BENCH_ARGS="-r 11 -w hash"`.
bench: $(PROGRAMS) $(BENCH_PROGS)
	TVP_BINDIR='$(CURDIR)/$(BINDIR)' TVP_BENCHDIR='$(CURDIR)/$(BUILD)/bench' \
	    ./compare.sh --fidelity $(BENCH_ARGS)

# Static checks.  cppcheck: warning, style, performance, portability, with
# the POSIX library model; what is off, and why, is in
# .cppcheck-suppressions.xml, or inline next to the code.  clang-tidy's
# checks and why are in .clang-tidy; it runs one file per invocation,
# because given several it carries analyzer state from one to the next
# (a false "uninitialized va_list" in worker.c after dataset.c).
LINT_SRC := $(COMMON_SRC) threads/runner.c processes/runner.c $(TEST_SRC) \
            $(sort $(wildcard bench/*.c)) $(sort $(wildcard mpi/*.c))
LINT_CFLAGS = $(STD) $(WARN) -Icommon -I. -pthread $(PKG_CFLAGS) $(MPI_CFLAGS)
lint:
	cppcheck --quiet --std=c11 --library=posix --error-exitcode=1 \
	    --enable=warning,style,performance,portability --inline-suppr \
	    --suppress-xml=.cppcheck-suppressions.xml \
	    $(filter -D%,$(STD)) -Icommon -Itests -I. \
	    $(LINT_SRC)
	printf '%s\n' $(LINT_SRC) | xargs -P "$$(nproc)" -n 1 sh -c \
	    'out=$$(clang-tidy --quiet "$$0" -- $(LINT_CFLAGS) 2>&1); rc=$$?; \
	    printf "%s\n" "$$out" | grep -v "warnings* generated\.$$"; \
	    exit $$rc'
	@echo "lint: cppcheck and clang-tidy clean"

# make install: the two programs into bindir; compare.sh as
# sharedir/compare.sh, with its empty TVP_INSTALLED_BINDIR= line set to
# bindir (where the installed copy finds the programs), and as
# bindir/tvp-compare, a relative symlink to it; tvp.1 into man1dir, with
# a symlink to it named after each command; README.md into docdir; the
# report program (report/tvp-report and its Python package) into
# sharedir/report, and the Python twin (python/, run by --python and the
# GIL lesson) into sharedir/python, beside compare.sh, which runs them
# from there.
# make uninstall removes exactly these, then sharedir and docdir if that
# left them empty.
COMMANDS := $(notdir $(PROGRAMS) $(MPI_PROG)) tvp-compare
REPORT_PY := $(sort $(wildcard report/tvpreport/*.py))
TWIN_PY   := $(filter-out python/tvp.py,$(sort $(wildcard python/*.py)))
install: $(PROGRAMS) $(MPI_PROG)
	install -d '$(DESTDIR)$(bindir)' '$(DESTDIR)$(sharedir)' \
	    '$(DESTDIR)$(docdir)' '$(DESTDIR)$(man1dir)' \
	    '$(DESTDIR)$(sharedir)/report/tvpreport' \
	    '$(DESTDIR)$(sharedir)/python' '$(DESTDIR)$(sharedir)/mpi'
	install -m 755 mpi/launch.sh '$(DESTDIR)$(sharedir)/mpi/'
	install -m 755 report/tvp-report '$(DESTDIR)$(sharedir)/report/'
	install -m 644 $(REPORT_PY) '$(DESTDIR)$(sharedir)/report/tvpreport/'
	install -m 755 python/tvp.py '$(DESTDIR)$(sharedir)/python/'
	install -m 644 $(TWIN_PY) '$(DESTDIR)$(sharedir)/python/'
	install -m 755 $(PROGRAMS) $(MPI_PROG) '$(DESTDIR)$(bindir)'
	sed 's|^TVP_INSTALLED_BINDIR=$$|TVP_INSTALLED_BINDIR="$(bindir)"|' \
	    compare.sh >$(BUILD)/compare.sh
	grep -Fqx 'TVP_INSTALLED_BINDIR="$(bindir)"' $(BUILD)/compare.sh || \
	    { echo 'compare.sh: no TVP_INSTALLED_BINDIR= line to set' >&2; \
	    exit 1; }
	install -m 755 $(BUILD)/compare.sh '$(DESTDIR)$(sharedir)/compare.sh'
	ln -sfr '$(DESTDIR)$(sharedir)/compare.sh' \
	    '$(DESTDIR)$(bindir)/tvp-compare'
	install -m 644 tvp.1 '$(DESTDIR)$(man1dir)/tvp.1'
	for name in $(COMMANDS); do \
	    ln -sf tvp.1 "$(DESTDIR)$(man1dir)/$$name.1" || exit 1; \
	done
	install -m 644 README.md '$(DESTDIR)$(docdir)/README.md'

uninstall:
	rm -f $(foreach f,$(COMMANDS),'$(DESTDIR)$(bindir)/$(f)') \
	    '$(DESTDIR)$(sharedir)/compare.sh' \
	    '$(DESTDIR)$(sharedir)/mpi/launch.sh' \
	    $(foreach f,tvp $(COMMANDS),'$(DESTDIR)$(man1dir)/$(f).1') \
	    '$(DESTDIR)$(docdir)/README.md' \
	    '$(DESTDIR)$(sharedir)/report/tvp-report' \
	    $(foreach f,$(notdir $(REPORT_PY)),'$(DESTDIR)$(sharedir)/report/tvpreport/$(f)') \
	    $(foreach f,tvp.py $(notdir $(TWIN_PY)),'$(DESTDIR)$(sharedir)/python/$(f)')
	rm -rf '$(DESTDIR)$(sharedir)/report/tvpreport/__pycache__' \
	    '$(DESTDIR)$(sharedir)/python/__pycache__'
	for dir in '$(DESTDIR)$(sharedir)/report/tvpreport' \
	    '$(DESTDIR)$(sharedir)/report' '$(DESTDIR)$(sharedir)/python' \
	    '$(DESTDIR)$(sharedir)/mpi' \
	    '$(DESTDIR)$(sharedir)' \
	    '$(DESTDIR)$(docdir)'; do \
	    if [ -d "$$dir" ]; then \
	        rmdir --ignore-fail-on-non-empty "$$dir" || exit 1; \
	    fi; \
	done

deps:
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	$$SUDO apt-get update -qq && \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    $(DEB_PKGS)

clean:
	rm -rf $(BUILD) build build-asan build-tsan bin

-include $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(TEST_OBJ:.o=.d) \
    $(BENCH_NAMES:%=$(BUILD)/bench/raw_%.d) $(BUILD)/bench/raw.d \
    $(BUILD)/threads/runner.d $(BUILD)/processes/runner.d \
    $(MPI_OBJ:.o=.d)
