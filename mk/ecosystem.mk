# The ecosystem (docs/index.md): the Redis throttle store, install and
# vendoring, OpenAPI, the browsable API, man pages.  Tests live in
# tests/ecosystem/.
#   make ecosystem-redis    the Redis store against a real redis-server, and
#                           two blog servers sharing one limit through it
#   make ecosystem-install  make install and rflowc vendor, in temp dirs
#   make ecosystem-openapi  the OpenAPI documents, validated, and the shop
#                           API checked against its own
#   make ecosystem-browsable  the browsable API, over HTTP and in Chromium
#   make ecosystem-docs     man pages, --help texts, editor grammars, doc links

ECO_BUILD := $(BUILD)/tests/ecosystem

$(ECO_BUILD)/redis-store: tests/ecosystem/test_redis_store.c $(BUILD)/librestflow.a
	@mkdir -p $(@D)
	$(CC) $(filter-out -MMD -MP,$(BASE_CFLAGS)) -Iruntime/include -Iruntime -Itests/unit \
	  $(PKG_CFLAGS) $(CHECK_CFLAGS) $< -o $@ $(BUILD)/librestflow.a $(CHECK_LIBS) $(PKG_LIBS)

.PHONY: ecosystem-redis
ecosystem-redis: $(ECO_BUILD)/redis-store $(BUILD)/blog-server
	$(PYTHON) tests/ecosystem/run_redis.py --store-test $(ECO_BUILD)/redis-store \
	  --server $(BUILD)/blog-server

TEST_STEPS += ecosystem-redis

# make install into a temporary prefix, rflowc vendor into a temporary
# project; the shop server built and run against each.
.PHONY: ecosystem-install
ecosystem-install: all
	$(PYTHON) tests/ecosystem/test_install.py

TEST_STEPS += ecosystem-install

# The Node packages of the checks below (package-lock.json pins them).
ECO_NODE := tests/ecosystem/node_modules/.package-lock.json
$(ECO_NODE): tests/ecosystem/package.json tests/ecosystem/package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing (Node.js 20 with npm)"; exit 1; }
	cd tests/ecosystem && npm ci --no-audit --no-fund --loglevel=error

# rflowc openapi for every spec (validated by @apidevtools/swagger-parser),
# the document the shop server serves, and the shop API's answers checked
# against it.
.PHONY: ecosystem-openapi
ecosystem-openapi: $(BUILD)/rflowc $(BUILD)/shop-server $(ECO_NODE)
	$(PYTHON) tests/ecosystem/test_openapi.py --rflowc $(BUILD)/rflowc \
	  --server $(BUILD)/shop-server

TEST_STEPS += ecosystem-openapi

# The browsable API: HTML pages over HTTP, then a person's visit in headless
# Chromium (Debian's /usr/bin/chromium, driven by playwright-core);
# screenshots in tests/out/ecosystem/.
.PHONY: ecosystem-browsable
ecosystem-browsable: $(BUILD)/shop-server $(ECO_NODE)
	$(PYTHON) tests/ecosystem/test_browsable.py --server $(BUILD)/shop-server \
	  --out tests/out/ecosystem

TEST_STEPS += ecosystem-browsable

# Man pages and --help texts agree, editor grammars highlight the example
# specs (VS Code's TextMate engine, Vim), docs links lead to files.
.PHONY: ecosystem-docs
ecosystem-docs: $(BUILD)/rflowc $(BUILD)/shop-server $(ECO_NODE) man
	$(PYTHON) tests/ecosystem/test_docs.py --rflowc $(BUILD)/rflowc \
	  --server $(BUILD)/shop-server --man $(BUILD)/man

TEST_STEPS += ecosystem-docs
