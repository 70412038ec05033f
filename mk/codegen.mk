# Code generation: the example servers from generated/ (committed output of
# `rflowc build` for every spec in specs/) and their hooks in specs/.
#
#   make regen             rebuild generated/<spec>/ from specs/<spec>.rflow
#   make generated-fresh   fail when generated/ is stale (a test step)
#   make examples-build    build every example server with gcc and with clang
#                          (-Werror), into build/examples/ (a test step)
#   make codegen-golden    golden tests of emitted C (tests/golden/codegen/);
#   make codegen-golden-update   rewrites them: read the diff before committing
#   make tutorial-test     follows docs/tutorial.md in a temporary directory
#   make codegen-drf       tests/codegen/library.rflow's server against a DRF twin
#   make codegen-large     a 1,000-resource spec builds (rflowc stays linear)
#
# `make` builds build/<spec>-server for every spec, from generated/ as
# committed, with specs/<spec>_hooks.c.

CODEGEN_SPECS   := $(sort $(basename $(notdir $(wildcard specs/*.rflow))))
# A spec builds into a server once its hooks file exists.
CODEGEN_HOOKED  := $(patsubst specs/%_hooks.c,%,$(wildcard specs/*_hooks.c))
CODEGEN_SERVERS := $(CODEGEN_HOOKED:%=$(BUILD)/%-server)

# The generated Makefile compiles the generated sources with the hooks
# against this tree, and the runtime of this build directory (RF_LIB: a
# sanitizer build under BUILD=build/san links its own librestflow.a).
CODEGEN_LIB = RESTFLOW=$(CURDIR) RF_LIB=$(abspath $(BUILD))/librestflow.a

define codegen_server
$(BUILD)/$(1)-server: $(wildcard generated/$(1)/*) specs/$(1)_hooks.c $(BUILD)/librestflow.a
	@mkdir -p $(BUILD)
	$$(MAKE) --no-print-directory -C generated/$(1) $(CODEGEN_LIB) CC="$(CC)" \
	  CFLAGS="$(CFLAGS) $(SAN)" LDFLAGS="$(SAN) $(LDFLAGS)" \
	  HOOKS=$(abspath specs/$(1)_hooks.c) OUT=$(abspath $(BUILD))
endef
$(foreach s,$(CODEGEN_SPECS),$(eval $(call codegen_server,$(s))))

all: $(CODEGEN_SERVERS)

.PHONY: regen generated-fresh examples-build codegen-golden codegen-golden-update tutorial-test \
        codegen-drf codegen-large

regen: $(BUILD)/rflowc
	@for s in $(CODEGEN_SPECS); do \
	  rm -rf generated/$$s && \
	  $(BUILD)/rflowc build specs/$$s.rflow -o generated/$$s 2>/dev/null || exit 1; \
	  echo "generated/$$s"; \
	done

generated-fresh: $(BUILD)/rflowc
	@rm -rf $(BUILD)/fresh; stale=0; \
	for s in $(CODEGEN_SPECS); do \
	  $(BUILD)/rflowc build specs/$$s.rflow -o $(BUILD)/fresh/$$s 2>/dev/null || exit 1; \
	  if diff -r -u generated/$$s $(BUILD)/fresh/$$s; then echo "generated/$$s: fresh"; \
	  else echo "generated/$$s is stale: run 'make regen'"; stale=1; fi; \
	done; exit $$stale

examples-build: $(BUILD)/librestflow.a
	@for cc in gcc clang; do for s in $(CODEGEN_HOOKED); do \
	  $(MAKE) --no-print-directory -s -C generated/$$s $(CODEGEN_LIB) CC=$$cc \
	    CFLAGS="$(CFLAGS) $(SAN)" LDFLAGS="$(SAN) $(LDFLAGS)" \
	    HOOKS=$(abspath specs)/$$s\_hooks.c OUT=$(abspath $(BUILD))/examples/$$cc || exit 1; \
	  echo "$$cc: $(BUILD)/examples/$$cc/$$s-server"; \
	done; done

codegen-golden: $(BUILD)/rflowc
	$(PYTHON) tests/golden/codegen/run

codegen-golden-update: $(BUILD)/rflowc
	$(PYTHON) tests/golden/codegen/run --update

# A spec unlike the examples (tests/codegen/library.rflow), its server
# against the same API written by hand in DRF, request by request.
codegen-drf: $(BUILD)/rflowc $(BUILD)/librestflow.a
	RFLOWC=$(abspath $(BUILD))/rflowc RF_LIB=$(abspath $(BUILD))/librestflow.a SAN="$(SAN)" \
	  $(PYTHON) tests/codegen/drf_compare.py

# A 1,000-resource spec (bench/gen_spec.py) builds: rflowc stays linear in
# the size of a spec (no timing assertion, a generous limit).
codegen-large: $(BUILD)/rflowc
	@rm -rf $(BUILD)/large && mkdir -p $(BUILD)/large
	$(PYTHON) bench/gen_spec.py --resources 1000 -o $(BUILD)/large/large.rflow
	timeout 120 $(BUILD)/rflowc build $(BUILD)/large/large.rflow -o $(BUILD)/large/out
	@echo "codegen-large: 1000 resources built"

# docs/tutorial.md, followed in a temporary directory.
tutorial-test: $(BUILD)/rflowc $(BUILD)/librestflow.a
	RFLOWC=$(abspath $(BUILD))/rflowc RF_LIB=$(abspath $(BUILD))/librestflow.a SAN="$(SAN)" \
	  $(PYTHON) tests/tutorial/run

TEST_STEPS += generated-fresh examples-build codegen-golden tutorial-test codegen-drf \
              codegen-large
