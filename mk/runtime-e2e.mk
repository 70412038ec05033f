# The runtime's HTTP test harness: a server built from hand-written
# descriptors (tests/e2e/runtime/rt_server.c) and a Python suite that
# starts it on a free port and speaks real HTTP to it.
#   make runtime-e2e

RT_SERVER := $(BUILD)/tests/e2e/rt-server

$(BUILD)/tests/e2e/rt_server.o: tests/e2e/runtime/rt_server.c
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -Iruntime/include -Iruntime $(PKG_CFLAGS) -c $< -o $@

$(RT_SERVER): $(BUILD)/tests/e2e/rt_server.o $(BUILD)/librestflow.a
	$(CC) $(SAN) -o $@ $^ $(PKG_LIBS)

.PHONY: runtime-e2e
runtime-e2e: $(RT_SERVER)
	$(PYTHON) tests/e2e/runtime/test_runtime.py $(RT_SERVER)

TEST_STEPS += runtime-e2e
-include $(BUILD)/tests/e2e/rt_server.d
