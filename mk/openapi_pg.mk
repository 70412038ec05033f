# The OpenAPI document on PostgreSQL (integer column ranges as DRF shows
# them there): tests/ecosystem/test_openapi_postgres.py against a throwaway
# cluster.
#   make ecosystem-openapi-pg

.PHONY: ecosystem-openapi-pg
ecosystem-openapi-pg: $(BUILD)/rflowc $(BUILD)/shop-server $(BUILD)/librestflow.a $(ECO_NODE)
	@$(call PG_CLUSTER,OPENAPI_PG_URL) && \
	$(PYTHON) tests/ecosystem/test_openapi_postgres.py --rflowc $(BUILD)/rflowc \
	  --server $(BUILD)/shop-server --pg-url "$$OPENAPI_PG_URL"

TEST_STEPS += ecosystem-openapi-pg
