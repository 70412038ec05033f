# Foreign keys to non-integer primary keys and foreign-key cycles:
# tests/codegen/keys.rflow against its DRF twin (tests/codegen/keys_twin.py),
# the generated server on SQLite and on a throwaway PostgreSQL cluster
# (migrated twice there: migrate must be safe to repeat).
#
#   make keys-drf        both backends (a test step)
#
# The runtime parts have the Check suite tests/unit/test_keys.c
# (`make unit-tests SUITE=keys`); the emitted code a golden
# (tests/golden/codegen/keys.rflow).

.PHONY: keys-drf

keys-drf: $(BUILD)/rflowc $(BUILD)/librestflow.a
	@for backend in sqlite postgres; do \
	  RFLOWC=$(abspath $(BUILD))/rflowc RF_LIB=$(abspath $(BUILD))/librestflow.a SAN="$(SAN)" \
	    $(PYTHON) tests/codegen/drf_compare.py keys --backend $$backend || exit 1; \
	done

TEST_STEPS += keys-drf
