# Acceptance (issue 5): specs written from docs/language.md alone, each
# compiled, built and compared request by request with the same API
# written by hand in DRF 3.14 (tests/acceptance/<spec>/: the spec, its C
# hooks, drf/ the Django twin, scenarios/ the requests; docs/differential.md).
#
#   make acceptance            every spec built with gcc and clang, then the
#                              scenarios of each spec that has them against
#                              its twin (a test step)
#   make acceptance-servers    only build build/acceptance/<spec>/<spec>-server
#   ACCEPTANCE_SPECS=helpdesk  limit to some specs
#   ACCEPTANCE_ARGS="--only 'tickets.*' -v"   options for the runner

ACCEPTANCE_SPECS ?= $(sort $(patsubst tests/acceptance/%/,%,$(dir $(wildcard tests/acceptance/*/*.rflow))))
ACCEPTANCE_ARGS  ?=
ACCEPTANCE_DIR   := $(BUILD)/acceptance
# A spec is compared when it has scenarios (and so a twin); all are built.
ACCEPTANCE_COMPARED = $(foreach s,$(ACCEPTANCE_SPECS),$(if $(wildcard tests/acceptance/$(s)/scenarios/*.py),$(s)))
acceptance_server = $(ACCEPTANCE_DIR)/$(1)/$(1)-server

# rflowc build into a fresh directory, then the generated Makefile with
# the spec's hooks (every .c beside the spec).
define acceptance_rules
$(call acceptance_server,$(1)): tests/acceptance/$(1)/$(1).rflow \
    $(wildcard tests/acceptance/$(1)/*.c) $(BUILD)/rflowc $(BUILD)/librestflow.a
	@rm -rf $(ACCEPTANCE_DIR)/$(1) && mkdir -p $(ACCEPTANCE_DIR)
	$(BUILD)/rflowc build $$< -o $(ACCEPTANCE_DIR)/$(1)
	$$(MAKE) --no-print-directory -s -C $(ACCEPTANCE_DIR)/$(1) $$(CODEGEN_LIB) CC=clang \
	  CFLAGS="$(CFLAGS) $(SAN)" LDFLAGS="$(SAN) $(LDFLAGS)" \
	  HOOKS="$(abspath $(wildcard tests/acceptance/$(1)/*.c))" OUT=clang
	$$(MAKE) --no-print-directory -s -C $(ACCEPTANCE_DIR)/$(1) $$(CODEGEN_LIB) CC="$(CC)" \
	  CFLAGS="$(CFLAGS) $(SAN)" LDFLAGS="$(SAN) $(LDFLAGS)" \
	  HOOKS="$(abspath $(wildcard tests/acceptance/$(1)/*.c))"
endef
$(foreach s,$(ACCEPTANCE_SPECS),$(eval $(call acceptance_rules,$(s))))

.PHONY: acceptance acceptance-servers

acceptance-servers: $(foreach s,$(ACCEPTANCE_SPECS),$(call acceptance_server,$(s)))

# One runner per spec, side by side; each output shown whole.
acceptance: acceptance-servers
	@dir=$$(mktemp -d) && status=0 && \
	for spec in $(ACCEPTANCE_COMPARED); do \
	  $(DIFF_RUN) --spec $$spec --dir tests/acceptance/$$spec/scenarios \
	    --twin tests/acceptance/$$spec/drf \
	    --also-known tests/acceptance/known_differences \
	    --b restflow=$(call acceptance_server,$$spec) $(ACCEPTANCE_ARGS) \
	    > "$$dir/$$spec.log" 2>&1 & echo "$$spec $$!" >> "$$dir/pids"; \
	done; \
	while read spec pid; do wait $$pid || status=1; cat "$$dir/$$spec.log"; done < "$$dir/pids"; \
	rm -rf "$$dir"; exit $$status

TEST_STEPS += acceptance
