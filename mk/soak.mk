# Soak (issue 7; docs/security.md): mixed wrk traffic (tests/soak/mixed.lua)
# against the shop server on loopback for a fixed time, sampling its RSS and
# file descriptors (tests/soak/soak.py says what passes).
#
#   make soak                SOAK_SECONDS (120) on SQLite; the long form
#   make soak SOAK_ARGS="--backend postgres --connections 64"
#   make soak-quick          10 seconds: no 5xx, no socket error, no fd
#                            leaked (RSS flatness needs the long form); a
#                            test step

SOAK_SECONDS ?= 120
SOAK_ARGS    ?=
SOAK_RUN      = RESTFLOW_BUILD=$(abspath $(BUILD)) $(PYTHON) tests/soak/soak.py

.PHONY: soak soak-quick
soak: $(BUILD)/shop-server
	$(SOAK_RUN) --seconds $(SOAK_SECONDS) $(SOAK_ARGS)

soak-quick: $(BUILD)/shop-server
	$(SOAK_RUN) --seconds 10 $(SOAK_ARGS)

TEST_STEPS += soak-quick
