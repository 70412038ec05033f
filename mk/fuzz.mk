# libFuzzer targets: every tests/fuzz/fuzz_NAME.c, built with clang and
# ASan + UBSan into build/fuzz/fuzz_NAME.
#
#   make fuzz                    build every target, run each FUZZ_SECONDS (60)
#   make fuzz FUZZ=fuzz_spec     one target
#   make fuzz-replay             run every target once over its corpus and
#                                seeds, without fuzzing (a test step)
#
# A target declares what it needs in comment lines of its source:
#   fuzz-links: WORD...   sources to compile with it: file paths, or
#                         @compiler (the compiler library: compiler/*.c but
#                         main.c, plus the generated lexer and parser) or
#                         @runtime (runtime/*.c)
#   fuzz-libs:  FLAG...   extra link flags (e.g. $(PKG_LIBS) pieces: -ljansson)
#   fuzz-cflags: FLAG...  extra compile flags (e.g. -Igenerated/shop)
#   fuzz-seeds: DIR...    directories of seed inputs (read, never written)
# Its committed corpus (minimised finds, regression inputs) lives in
# tests/fuzz/corpus/NAME/ (NAME without "fuzz_"); new finds go to
# build/fuzz/corpus/NAME/, and crashes to build/fuzz/crash-NAME-*.  An
# optional tests/fuzz/fuzz_NAME.dict is passed as the dictionary.

FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_BASE     = -std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer \
                -fno-sanitize-recover=undefined \
                -Icompiler -I$(BUILD)/compiler -Iruntime/include -Iruntime $(PKG_CFLAGS)
FUZZ_CFLAGS   = $(FUZZ_BASE) -fsanitize=fuzzer,address,undefined
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ         ?= $(FUZZ_TARGETS)

FUZZ_COMPILER_SRC = $(filter-out compiler/main.c,$(wildcard compiler/*.c)) \
                    $(BUILD)/compiler/lexer.c $(BUILD)/compiler/grammar.c
fuzz_field = $(shell sed -n 's|^.*fuzz-$(2): *||p' tests/fuzz/$(1).c)
fuzz_links = $(subst @runtime,$(wildcard runtime/*.c),$(subst @compiler,$(FUZZ_COMPILER_SRC),$(call fuzz_field,$(1),links)))
fuzz_corpus = tests/fuzz/corpus/$(patsubst fuzz_%,%,$(1))

# Every linked source is compiled once into $(BUILD)/fuzz/obj (instrumented,
# without libFuzzer's main) and shared by all targets: compiling the runtime
# again per target made the replay step take minutes.  -MMD: an object
# is rebuilt when a header it includes changes (a stale object built
# against an older struct layout reads garbage).
FUZZ_OBJ_CFLAGS = $(FUZZ_BASE) -fsanitize=fuzzer-no-link,address,undefined -MMD -MP
fuzz_objs = $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(call fuzz_links,$(1)))
-include $(shell find $(BUILD)/fuzz/obj -name '*.d' 2>/dev/null)

$(BUILD)/fuzz/obj/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_OBJ_CFLAGS) -c $< -o $@

# An example's hooks include the generated <spec>_hooks.h.
$(BUILD)/fuzz/obj/specs/%_hooks.o: specs/%_hooks.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_OBJ_CFLAGS) -Igenerated/$* -c $< -o $@

define fuzz_rules
$(BUILD)/fuzz/$(1): tests/fuzz/$(1).c $(call fuzz_objs,$(1))
	@mkdir -p $$(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(call fuzz_field,$(1),cflags) -o $$@ $$^ $(call fuzz_field,$(1),libs)

.PHONY: fuzz-run-$(1) fuzz-replay-$(1)
fuzz-run-$(1): $(BUILD)/fuzz/$(1)
	@mkdir -p $(BUILD)/fuzz/corpus/$(1) $(call fuzz_corpus,$(1))
	$$< -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	  -artifact_prefix=$(BUILD)/fuzz/crash-$(1)- \
	  $(if $(wildcard tests/fuzz/$(1).dict),-dict=tests/fuzz/$(1).dict) \
	  $(BUILD)/fuzz/corpus/$(1) $(call fuzz_corpus,$(1)) $(call fuzz_field,$(1),seeds)

fuzz-replay-$(1): $(BUILD)/fuzz/$(1)
	@mkdir -p $(call fuzz_corpus,$(1))
	$$< -runs=0 -artifact_prefix=$(BUILD)/fuzz/crash-$(1)- \
	  $(call fuzz_corpus,$(1)) $(call fuzz_field,$(1),seeds)
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_rules,$(t))))

.PHONY: fuzz fuzz-replay
# Every target runs even when one finds a crash; the failures are listed
# at the end.
fuzz:
	@tools/deps.sh fuzz
	@failed=""; for t in $(FUZZ); do \
	  $(MAKE) --no-print-directory fuzz-run-$$t || failed="$$failed $$t"; done; \
	if [ -n "$$failed" ]; then echo "fuzz: failed:$$failed (see $(BUILD)/fuzz/crash-*)"; exit 1; fi

fuzz-replay: $(addprefix fuzz-replay-,$(FUZZ_TARGETS))

TEST_STEPS += fuzz-replay
