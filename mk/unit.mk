# Unit tests: every tests/unit/*.c is linked into one Check runner.  A file
# exports one or more `Suite *make_<area>_suite(void)`; the runner finds them
# through a generated list, so adding a file needs no edit here.
#   make unit-tests               all suites
#   make unit-tests SUITE=arena   only the suite named "arena" (CK_RUN_SUITE)

UNIT_SRC    := $(sort $(wildcard tests/unit/*.c))
UNIT_OBJ    := $(UNIT_SRC:%.c=$(BUILD)/%.o)
UNIT_CFLAGS  = $(BASE_CFLAGS) -Iruntime/include -Iruntime -Icompiler \
               -I$(BUILD)/compiler -I$(BUILD)/tests $(PKG_CFLAGS) $(CHECK_CFLAGS)
UNIT_LIBS    = $(wildcard $(BUILD)/libcompiler.a) $(BUILD)/librestflow.a

$(BUILD)/tests/suites.inc: $(UNIT_SRC)
	@mkdir -p $(@D)
	grep -ho 'Suite \*make_[a-z0-9_]*_suite *(void)' $(UNIT_SRC) | \
	  sed 's/Suite \*\(make_[a-z0-9_]*_suite\).*/RF_SUITE(\1)/' | sort -u > $@.tmp
	cmp -s $@.tmp $@ || mv $@.tmp $@; rm -f $@.tmp

$(BUILD)/tests/unit/%.o: tests/unit/%.c $(BUILD)/tests/suites.inc
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) -c $< -o $@

$(BUILD)/tests/unit-runner: $(UNIT_OBJ) $(UNIT_LIBS)
	$(CC) $(SAN) -o $@ $(UNIT_OBJ) $(UNIT_LIBS) $(CHECK_LIBS) $(PKG_LIBS)

.PHONY: unit-tests
unit-tests: $(BUILD)/tests/unit-runner
	$(if $(SUITE),CK_RUN_SUITE=$(SUITE)) $(BUILD)/tests/unit-runner

TEST_STEPS += unit-tests
-include $(UNIT_OBJ:.o=.d)
