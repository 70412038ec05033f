# Serializers area: DRF-generated test vectors.
#   make vectors         regenerate tests/vectors/*.json with real DRF 3.14
#   make vectors-check   fail when the committed vectors differ from what
#                        the generators produce now (part of `make test`)

VECTOR_GENERATORS := $(sort $(wildcard tests/vectors/gen_*.py))

.PHONY: vectors vectors-check
vectors:
	@for g in $(VECTOR_GENERATORS); do echo "  GEN $$g"; $(PYTHON) $$g tests/vectors || exit 1; done

vectors-check:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	for g in $(VECTOR_GENERATORS); do $(PYTHON) $$g "$$tmp" || exit 1; done && \
	for f in "$$tmp"/*.json; do \
	  cmp -s "$$f" "tests/vectors/$${f##*/}" || \
	    { echo "stale: tests/vectors/$${f##*/} (run: make vectors)"; exit 1; }; \
	done && echo "vectors up to date"

TEST_STEPS += vectors-check
