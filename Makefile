# tvp: two programs from the same common objects, one runner each.

PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
PKGS     := libmd libbsd-overlay libcrypto libxxhash
TEST_PKGS := cunit
# Debian packages that provide the above (make deps installs them).
DEB_PKGS := build-essential pkg-config libbsd-dev libmd-dev libssl-dev \
            libxxhash-dev libcunit1-dev xxhash shellcheck

WARN     := -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wcast-qual \
            -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith \
            -Wvla -Wwrite-strings -Wundef
CFLAGS   ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L \
             $(WARN) $(CFLAGS) $(EXTRA_CFLAGS) -Icommon -pthread -MMD -MP \
             $(shell pkg-config --cflags $(PKGS))
LDLIBS_ALL = $(shell pkg-config --libs $(PKGS)) -pthread -lrt
BUILD    ?= build

COMMON_SRC := $(sort $(wildcard common/*.c))
LIB_SRC    := $(filter-out common/main.c,$(COMMON_SRC))
LIB_OBJ    := $(LIB_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ   := $(BUILD)/common/main.o
TEST_SRC   := $(sort $(wildcard tests/*.c))
TEST_OBJ   := $(TEST_SRC:%.c=$(BUILD)/%.o)
PROGRAMS   := bin/tvp-threads bin/tvp-processes
TESTS      := $(BUILD)/test-threads $(BUILD)/test-processes

.PHONY: all check clean install deps
.SECONDARY: $(TEST_OBJ)
all: $(PROGRAMS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

bin/tvp-%: $(LIB_OBJ) $(MAIN_OBJ) $(BUILD)/%/runner.o
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS_ALL)

$(BUILD)/test-%: $(LIB_OBJ) $(TEST_OBJ) $(BUILD)/%/runner.o
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS_ALL) \
	    $(shell pkg-config --libs $(TEST_PKGS))

# Both test binaries run every suite: the same tests against each runner.
check: $(PROGRAMS) $(TESTS)
	$(BUILD)/test-threads
	$(BUILD)/test-processes

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
	rm -rf $(BUILD) bin

-include $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(TEST_OBJ:.o=.d) \
    $(BUILD)/threads/runner.d $(BUILD)/processes/runner.d
