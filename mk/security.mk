# Reliability and security (issue 7; docs/security.md): the example servers
# under hostile HTTP, injection, access checks, concurrency and faults.
#
#   make security-tests      tests/security (hostile HTTP, injection and access,
#                            concurrency) and tests/faults, on SQLite; the
#                            faults' PostgreSQL restart uses a throwaway
#                            cluster (a test step)
#   make security-tests-pg   on PostgreSQL: the injection tests that build SQL
#                            (lookups, filters, search, ordering, pages,
#                            cursors, bodies, tokens) and every concurrency
#                            test (a test step; the access checks do not
#                            depend on the database and run on SQLite only)
#   make faults-long         tests/faults with the slow cases too (a SQLite
#                            lock held past every retry)
#   SECURITY_ARGS="-k Smuggling -v"   options for the suites (unittest's)
#
# The suites build nothing: they run $(BUILD)/<spec>-server.

SECURITY_SERVERS = $(BUILD)/shop-server $(BUILD)/blog-server $(BUILD)/events-server
SECURITY_ARGS   ?=
SECURITY_RUN     = RESTFLOW_BUILD=$(abspath $(BUILD)) $(PYTHON)
SECURITY_SUITES := tests/security/test_hostile_http.py tests/security/test_injection.py \
                   tests/security/test_concurrency.py tests/faults/test_faults.py
# suite:Class,Class (no classes: all of them)
SECURITY_PG_SUITES := tests/security/test_injection.py:ShopInjection,ShopBodies,BlogInjection,Tokens \
                      tests/security/test_concurrency.py

.PHONY: security-tests security-tests-pg faults-long
security-tests: $(SECURITY_SERVERS)
	@status=0; for t in $(SECURITY_SUITES); do \
	  echo "$$t"; $(SECURITY_RUN) $$t $(SECURITY_ARGS) || status=1; \
	done; exit $$status

# One throwaway cluster for every suite (tests/pg/cluster.sh).
security-tests-pg: $(SECURITY_SERVERS)
	@$(call PG_CLUSTER,SECURITY_PG_URL) && status=0 && \
	for t in $(SECURITY_PG_SUITES); do \
	  suite=$${t%%:*}; classes=$$(echo "$${t#$$suite}" | tr ':,' '  '); \
	  echo "$$suite (PostgreSQL)"; \
	  SECURITY_BACKEND=postgres $(SECURITY_RUN) $$suite $$classes \
	    $(SECURITY_ARGS) || status=1; \
	done; exit $$status

faults-long: $(BUILD)/shop-server
	FAULTS_LONG=1 $(SECURITY_RUN) tests/faults/test_faults.py $(SECURITY_ARGS)

TEST_STEPS += security-tests security-tests-pg
