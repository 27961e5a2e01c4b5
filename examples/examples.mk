# examples/ - the demo program and its libraries, built into $(BUILD)/examples
EXD = $(BUILD)/examples
EXAMPLES = $(EXD)/demo $(EXD)/libcounter.so $(EXD)/libcache.so $(EXD)/plugin.so

examples: $(EXAMPLES)

$(EXD)/lib%.so: examples/lib%.c | $(EXD)
	$(CC) $(ALL_CFLAGS) -fPIC -shared -o $@ $<

$(EXD)/plugin.so: examples/plugin.c | $(EXD)
	$(CC) $(ALL_CFLAGS) -fPIC -shared -o $@ $<

$(EXD)/demo: examples/demo.c $(EXD)/libcounter.so $(EXD)/libcache.so | $(EXD)
	$(CC) $(ALL_CFLAGS) -o $@ $< -L$(EXD) -lcounter -lcache -ldl -Wl,-rpath,'$$ORIGIN'

$(EXD):
	mkdir -p $@
