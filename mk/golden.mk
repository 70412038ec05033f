# Diagnostics goldens: tests/golden/errors/*.rflow against their .expected
# files (see tests/golden/run).  `make golden-update` rewrites them: read the
# diff before committing.

.PHONY: golden-tests golden-update
golden-tests: $(BUILD)/rflowc
	$(PYTHON) tests/golden/run

golden-update: $(BUILD)/rflowc
	$(PYTHON) tests/golden/run --update

TEST_STEPS += golden-tests
