# librestflow: runtime/*.c into build/librestflow.a (and the objects for a
# shared library later).  Every .c file in runtime/ is part of the library.

RUNTIME_SRC    := $(sort $(wildcard runtime/*.c))
RUNTIME_OBJ    := $(RUNTIME_SRC:%.c=$(BUILD)/%.o)
RUNTIME_CFLAGS  = $(BASE_CFLAGS) -fPIC -Iruntime/include -Iruntime $(PKG_CFLAGS)

$(BUILD)/runtime/%.o: runtime/%.c
	@mkdir -p $(@D)
	$(CC) $(RUNTIME_CFLAGS) -c $< -o $@

$(BUILD)/librestflow.a: $(RUNTIME_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

ifneq ($(RUNTIME_SRC),)
all: $(BUILD)/librestflow.a
endif

-include $(RUNTIME_OBJ:.o=.d)
