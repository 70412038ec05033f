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

PKGS         := libevent libevent_pthreads libevent_openssl jansson sqlite3 libpq openssl hiredis
PKG_CFLAGS   := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS     := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lhttp_parser -lpthread -lm
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell pkg-config --libs check 2>/dev/null)

TEST_STEPS :=

# The start of a recipe line that needs a throwaway PostgreSQL cluster
# (tests/pg/cluster.sh): exports its URL as $(1), and destroys it when the
# recipe's shell exits, whatever the status.  Continue with `&& ...`.
PG_CLUSTER = pgdir=$$(mktemp -d) && chmod 711 "$$pgdir" && \
	trap 'tests/pg/cluster.sh destroy "$$pgdir" >/dev/null 2>&1' EXIT && \
	$(1)=$$(tests/pg/cluster.sh start "$$pgdir") && export $(1)

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

# The shop example on 127.0.0.1:8000 with a SQLite file under build/demo:
# migrated, a demo user (password "demo") and its token, printed; running it
# again keeps the data, the user and the token.
DEMO_DB := $(BUILD)/demo/shop.db
demo: deps $(BUILD)/shop-server
	@tools/deps.sh demo
	@mkdir -p $(BUILD)/demo
	@$(BUILD)/shop-server migrate --db sqlite:$(DEMO_DB)
	@$(BUILD)/shop-server createuser demo --password demo --email demo@example.com \
	  --db sqlite:$(DEMO_DB) 2>/dev/null || true
	@echo "demo user: demo / demo, token: $$($(BUILD)/shop-server createtoken demo --db sqlite:$(DEMO_DB))"
	@echo "try: curl -H 'Authorization: Token <token>' http://127.0.0.1:8000/api/"
	$(BUILD)/shop-server serve --listen 127.0.0.1:8000 --db sqlite:$(DEMO_DB)

clean:
	rm -rf $(BUILD) tests/out
