# restflow: the one entry point.  `make` builds the compiler and runtime,
# `make test` runs every suite, `make demo` serves the example API.
#
# Each area keeps its rules in mk/<area>.mk.  An area adds its test steps to
# TEST_STEPS; `make test` runs them all and prints one summary.

.DEFAULT_GOAL := all
SHELL := /bin/bash

BUILD   ?= build
CC      ?= cc
OPT     ?= -O2
SAN     ?=
CFLAGS  ?= $(OPT) -g
WARN    := -Wall -Wextra -Werror
BASE_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SAN) -MMD -MP
LDFLAGS ?=
PYTHON  ?= /usr/bin/python3

PKGS         := libevent libevent_pthreads libevent_openssl jansson sqlite3 libpq openssl
PKG_CFLAGS   := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS     := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell pkg-config --libs check 2>/dev/null)

TEST_STEPS :=

.PHONY: all deps test demo clean
all: deps

deps:
	@tools/deps.sh build

include $(sort $(wildcard mk/*.mk))

test: export RESTFLOW_TESTING=1
test:
	@tools/deps.sh test
	@$(MAKE) --no-print-directory all
	@tools/run-tests.sh $(TEST_STEPS)

clean:
	rm -rf $(BUILD) tests/out
