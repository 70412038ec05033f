# Benchmarks (bench/README.md).  Not part of `make test`: they take minutes
# and measure rather than check.  Only the harness's own self-tests
# (bench-selftest: standard-library Python, seconds) run in `make test`.
#   make bench                        every system, 3 rounds (BENCH_ARGS=... to
#                                     pass options to bench/run, e.g.
#                                     BENCH_ARGS="--rounds 1 --duration 3")
#   make bench-verify                 only check that every system answers as DRF
#   make bench-peers                  build the peers (C server, npm packages)
#   make bench-restflow               generate and build the bench spec's server

BENCH_BUILD   := $(BUILD)/bench
BENCH_ARGS    ?=
# One compile-and-link step per program: no dependency files.
BENCH_CFLAGS   = $(filter-out -MMD -MP,$(BASE_CFLAGS))
ULFIUS_SRC    := $(wildcard bench/peers/ulfius/*.c)
ULFIUS_CFLAGS  = $(BENCH_CFLAGS) $(shell pkg-config --cflags libulfius jansson sqlite3 2>/dev/null)
ULFIUS_LIBS    = $(shell pkg-config --libs libulfius jansson sqlite3 2>/dev/null) -lpthread -lm
FASTIFY_DIR   := bench/peers/fastify

.PHONY: bench bench-verify bench-peers bench-restflow bench-selftest

# Not `all` first: the peers must build, restflow's side may not be ready
# (bench/run reports it "not built"), and bench/run builds both.
bench:
	@tools/deps.sh bench
	$(PYTHON) bench/run $(BENCH_ARGS)

bench-verify:
	@tools/deps.sh bench
	$(PYTHON) bench/run --verify-only $(BENCH_ARGS)

bench-selftest:
	$(PYTHON) bench/tests/test_harness.py

TEST_STEPS += bench-selftest

bench-peers: $(BENCH_BUILD)/ulfius-server $(FASTIFY_DIR)/node_modules/.package-lock.json

$(BENCH_BUILD)/ulfius-server: $(ULFIUS_SRC) bench/peers/ulfius/pyrules.h
	@mkdir -p $(@D)
	$(CC) $(ULFIUS_CFLAGS) $(ULFIUS_SRC) -o $@ $(ULFIUS_LIBS)

# npm writes node_modules/.package-lock.json on every install.
$(FASTIFY_DIR)/node_modules/.package-lock.json: $(FASTIFY_DIR)/package-lock.json
	cd $(FASTIFY_DIR) && npm ci --no-audit --no-fund --loglevel=error

# restflow's side: rflowc generates the bench spec's sources, which link with
# the runtime and the spec's one C hook.  bench/run reports "not built" with
# the first error of the log when this fails.  The server is replaced only
# by a good build: in a checkout others are changing, a failed rebuild
# leaves the last good server, which bench/run then measures and says so.
BENCH_GEN := $(BENCH_BUILD)/gen

bench-restflow:
	@mkdir -p $(BENCH_BUILD)
	@$(MAKE) --no-print-directory $(BENCH_BUILD)/restflow-bench > $(BENCH_BUILD)/restflow-build.log 2>&1 || \
	  { echo "restflow bench server not built; see $(BENCH_BUILD)/restflow-build.log"; exit 1; }

$(BENCH_BUILD)/restflow-bench: bench/restflow/bench.rflow bench/restflow/hooks.c \
                               $(BUILD)/rflowc $(BUILD)/librestflow.a
	rm -rf $(BENCH_GEN) && mkdir -p $(BENCH_GEN)
	$(BUILD)/rflowc build bench/restflow/bench.rflow -o $(BENCH_GEN)
	$(CC) $(BENCH_CFLAGS) -Iruntime/include -I$(BENCH_GEN) $(PKG_CFLAGS) \
	  $(BENCH_GEN)/*.c bench/restflow/hooks.c \
	  $(BUILD)/librestflow.a $(PKG_LIBS) -o $@.tmp
	mv $@.tmp $@
