# Persistence: the database behavioural suite, run against each backend.
#   make db-tests-sqlite   SQLite files in a temp dir
#   make db-tests-pg       a throwaway PostgreSQL cluster (tests/pg/cluster.sh)
# CK_RUN_SUITE=db_core (db_query, db_postfetch, db_concurrency, db_manage, db_write_groups,
# db_outage) runs one suite.

DB_TEST_SRC := $(sort $(wildcard tests/db/*.c))
DB_TEST_OBJ := $(DB_TEST_SRC:%.c=$(BUILD)/%.o)

$(BUILD)/tests/db/%.o: tests/db/%.c
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) -c $< -o $@

$(BUILD)/tests/db-suite: $(DB_TEST_OBJ) $(BUILD)/librestflow.a
	$(CC) $(SAN) -o $@ $(DB_TEST_OBJ) $(BUILD)/librestflow.a $(CHECK_LIBS) $(PKG_LIBS)

.PHONY: db-tests-sqlite db-tests-pg
db-tests-sqlite: $(BUILD)/tests/db-suite
	BUILD=$(BUILD) tests/db/run.sh sqlite

db-tests-pg: $(BUILD)/tests/db-suite
	BUILD=$(BUILD) tests/db/run.sh pg

TEST_STEPS += db-tests-sqlite db-tests-pg
-include $(DB_TEST_OBJ:.o=.d)
