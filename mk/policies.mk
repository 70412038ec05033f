# Policies area: the database-backed policy suites (auth, filter) once more
# on PostgreSQL, in a throwaway cluster (tests/pg/cluster.sh).  On SQLite
# they run in `make unit-tests`.
#   make policy-tests-pg

.PHONY: policy-tests-pg
policy-tests-pg: $(BUILD)/tests/unit-runner
	@$(call PG_CLUSTER,RESTFLOW_TEST_PG) && \
	for s in auth filter; do \
	  CK_RUN_SUITE=$$s $(BUILD)/tests/unit-runner || exit 1; \
	done

TEST_STEPS += policy-tests-pg
