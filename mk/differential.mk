# The differential suite (docs/differential.md): the same requests sent to
# the DRF twin of a spec (tests/drf/<spec>) and to another server, compared.
#   make drf-self-check     the harness's and the twins' PostFetch tests,
#                           then two DRF twins of each spec compared with no
#                           difference allowed (part of `make test`)
#   make differential       the DRF twin against each generated restflow
#                           server, build/<spec>-server (built first; another
#                           binary with DIFF_SERVER), a test step: differences
#                           not in tests/differential/known_differences fail
#   DIFF_SPECS=shop         limit either target to some specs
#   DIFF_ARGS="--only 'auth.*' -v"   options for tests/differential/run.py

DIFF_SPECS  ?= $(sort $(patsubst tests/differential/%/users.json,%,\
                 $(wildcard tests/differential/*/users.json)))
DIFF_SERVER ?= $(BUILD)/$(1)-server
DIFF_ARGS   ?=
DIFF_RUN     = $(PYTHON) tests/differential/run.py

.PHONY: drf-self-check differential differential-harness-tests

differential-harness-tests:
	$(PYTHON) tests/differential/test_harness.py
	$(PYTHON) tests/drf/test_postfetch.py

drf-self-check: differential-harness-tests
	@status=0; for spec in $(DIFF_SPECS); do \
	  $(DIFF_RUN) --spec $$spec --no-known $(DIFF_ARGS) || status=1; \
	done; exit $$status

differential: $(foreach s,$(DIFF_SPECS),$(call DIFF_SERVER,$(s)))
	@status=0; for spec in $(DIFF_SPECS); do \
	  $(DIFF_RUN) --spec $$spec --b restflow=$(call DIFF_SERVER,$$spec) $(DIFF_ARGS) || status=1; \
	done; exit $$status

TEST_STEPS += drf-self-check differential
