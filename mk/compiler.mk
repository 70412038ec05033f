# rflowc: compiler/*.c plus the generated lexer (re2c) and parser (lemon)
# into build/libcompiler.a (everything but main.o; the unit tests and fuzz
# targets link it) and build/rflowc.
#
# The compiler borrows the runtime's arena and growable buffer (rf_arena,
# rf_buf: runtime/arena.c, runtime/buf.c), so it links build/librestflow.a
# after libcompiler.a; only those objects are pulled in.

COMPILER_SRC     := $(sort $(wildcard compiler/*.c))
COMPILER_GEN_SRC := $(if $(wildcard compiler/grammar.y),$(BUILD)/compiler/grammar.c) \
                    $(if $(wildcard compiler/lexer.re),$(BUILD)/compiler/lexer.c)
COMPILER_OBJ     := $(COMPILER_SRC:%.c=$(BUILD)/%.o) $(COMPILER_GEN_SRC:.c=.o)
COMPILER_LIB_OBJ := $(filter-out $(BUILD)/compiler/main.o,$(COMPILER_OBJ))
COMPILER_CFLAGS   = $(BASE_CFLAGS) -Icompiler -I$(BUILD)/compiler -Iruntime/include
COMPILER_LIBS     = $(BUILD)/libcompiler.a $(BUILD)/librestflow.a

# lemon writes grammar.c and grammar.h next to each other; grammar.h is the
# one token namespace the lexer includes.  lemon leaves an unchanged header
# untouched, so both are touched: otherwise every make would rerun lemon
# (and race with another make rewriting grammar.c under a compiler).
$(BUILD)/compiler/grammar.c $(BUILD)/compiler/grammar.h &: compiler/grammar.y
	@mkdir -p $(@D)
	lemon -q -T/usr/share/lemon/lempar.c -d$(BUILD)/compiler $<
	@touch $(BUILD)/compiler/grammar.c $(BUILD)/compiler/grammar.h

$(BUILD)/compiler/lexer.c: compiler/lexer.re $(BUILD)/compiler/grammar.h
	@mkdir -p $(@D)
	re2c -W --no-generation-date --no-version -o $@ $<

$(BUILD)/compiler/%.o: compiler/%.c
	@mkdir -p $(@D)
	$(CC) $(COMPILER_CFLAGS) -c $< -o $@

$(BUILD)/compiler/%.o: $(BUILD)/compiler/%.c
	$(CC) $(COMPILER_CFLAGS) -c $< -o $@

# lemon's template leaves the destructor's arguments unused when the grammar
# needs no destructors (everything lives in the arena).
$(BUILD)/compiler/grammar.o: COMPILER_CFLAGS += -Wno-unused-parameter -Wno-unused-variable

# Sources that include the generated header need it before they first
# compile; after that their -MMD dependencies track it.
$(filter-out $(BUILD)/compiler/grammar.o,$(COMPILER_OBJ)) \
$(BUILD)/tests/unit/test_lexer.o $(BUILD)/tests/unit/test_parser.o: \
  | $(if $(wildcard compiler/grammar.y),$(BUILD)/compiler/grammar.h)

$(BUILD)/libcompiler.a: $(COMPILER_LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/rflowc: $(BUILD)/compiler/main.o $(COMPILER_LIBS)
	$(CC) $(SAN) $(LDFLAGS) -o $@ $< $(COMPILER_LIBS)

# The unit runner links libcompiler.a when it exists (mk/unit.mk); make sure
# it does, and is current, before the runner links.
$(BUILD)/tests/unit-runner: $(BUILD)/libcompiler.a

all: $(BUILD)/rflowc

-include $(COMPILER_OBJ:.o=.d)
