# End-to-end suites of the example servers (tests/e2e/<spec>/test_<spec>.py,
# harness tests/e2e/lib/e2e.py): each starts build/<spec>-server on free
# ports with fresh databases and speaks real HTTP to it.
#   make e2e-sqlite               every suite on SQLite files
#   make e2e-postgres             every suite in a throwaway PostgreSQL
#                                 cluster (tests/pg/cluster.sh), a fresh
#                                 database per server
#   make e2e-drf                  every suite against the DRF twins
#                                 (tests/drf): the expectations are DRF's
#                                 (not a test step: it takes minutes)
#   E2E_SPECS=shop                limit the suites
#   E2E_ARGS="-k Listing -v"      options for the suites (see e2e.py)
#
# The differential suite's `differential` target (mk/differential.mk) is
# wired to the same servers.

E2E_SPECS  ?= $(sort $(filter-out runtime lib,$(patsubst tests/e2e/%/,%,\
                $(dir $(wildcard tests/e2e/*/test_*.py)))))
E2E_ARGS   ?=
E2E_RUN     = $(PYTHON) tests/e2e/$(1)/test_$(1).py

.PHONY: e2e-sqlite e2e-postgres e2e-drf

# The suites run side by side (they wait on sockets and the database more
# than they compute); each one's output is shown whole when all have ended.
E2E_ALL = dir=$$(mktemp -d) && status=0 && \
	for s in $(E2E_SPECS); do \
	  $(call E2E_RUN,$$s) --server $(BUILD)/$$s-server $(1) $(E2E_ARGS) > "$$dir/$$s.log" 2>&1 & \
	  echo "$$s $$!" >> "$$dir/pids"; \
	done; \
	while read s pid; do wait $$pid || status=1; cat "$$dir/$$s.log"; done < "$$dir/pids"; \
	rm -rf "$$dir"; exit $$status

e2e-sqlite: $(E2E_SPECS:%=$(BUILD)/%-server)
	@$(call E2E_ALL,--backend sqlite)

e2e-postgres: $(E2E_SPECS:%=$(BUILD)/%-server)
	@$(call PG_CLUSTER,E2E_PG_URL) && export E2E_PG_THROWAWAY=1 && \
	$(call E2E_ALL,--backend postgres)

e2e-drf:
	@status=0; for s in $(E2E_SPECS); do \
	  if [ -d tests/drf/$$s ]; then $(call E2E_RUN,$$s) --drf $(E2E_ARGS) || status=1; fi; \
	done; exit $$status

TEST_STEPS += e2e-sqlite e2e-postgres
