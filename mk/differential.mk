# The differential suite (docs/differential.md): the same requests sent to
# the DRF twin of a spec (tests/drf/<spec>) and to another server, compared.
#   make drf-self-check     the harness's and the twins' PostFetch tests,
#                           then two DRF twins of each spec compared with no
#                           difference allowed (part of `make test`)
#   make differential       the DRF twin against each generated restflow
#                           server, build/<spec>-server (built first; another
#                           binary with DIFF_SERVER), a test step: differences
#                           not in tests/differential/known_differences fail
#   make differential-pg    the same with the servers on PostgreSQL (a
#                           throwaway cluster), a test step
#   DIFF_SPECS=shop         limit the targets to some specs
#   DIFF_ARGS="--only 'auth.*' -v"   options for tests/differential/run.py

DIFF_SPECS  ?= $(sort $(patsubst tests/differential/%/users.json,%,\
                 $(wildcard tests/differential/*/users.json)))
DIFF_SERVER ?= $(BUILD)/$(1)-server
DIFF_ARGS   ?=
DIFF_RUN     = $(PYTHON) tests/differential/run.py

.PHONY: drf-self-check differential differential-pg differential-harness-tests

differential-harness-tests:
	$(PYTHON) tests/differential/test_harness.py
	$(PYTHON) tests/drf/test_postfetch.py

drf-self-check: differential-harness-tests
	@status=0; for spec in $(DIFF_SPECS); do \
	  $(DIFF_RUN) --spec $$spec --no-known $(DIFF_ARGS) || status=1; \
	done; exit $$status

# Each spec's comparison runs beside the others; outputs are shown whole.
DIFF_ALL = dir=$$(mktemp -d) && status=0 && \
	for spec in $(DIFF_SPECS); do \
	  $(DIFF_RUN) --spec $$spec --b $(1)=$(call DIFF_SERVER,$$spec) $(2) $(DIFF_ARGS) \
	    > "$$dir/$$spec.log" 2>&1 & echo "$$spec $$!" >> "$$dir/pids"; \
	done; \
	while read spec pid; do wait $$pid || status=1; cat "$$dir/$$spec.log"; done < "$$dir/pids"; \
	rm -rf "$$dir"; exit $$status

differential: $(foreach s,$(DIFF_SPECS),$(call DIFF_SERVER,$(s)))
	@$(call DIFF_ALL,restflow)

# The same against the generated servers on PostgreSQL (a throwaway
# cluster), with the differences that are PostgreSQL's own on top.
differential-pg: $(foreach s,$(DIFF_SPECS),$(call DIFF_SERVER,$(s)))
	@$(call PG_CLUSTER,DIFF_PG_URL) && \
	$(call DIFF_ALL,restflow-pg,--also-known tests/differential/known_differences.postgres)

TEST_STEPS += drf-self-check differential differential-pg
