# tests/tests.mk - test programs, built into $(BUILD)/tests/ by `make test-progs`.

$(BUILD)/tests/gen-log: tests/gen-log.c include/cowtrace_log.h | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -o $@ tests/gen-log.c

test-progs: $(BUILD)/tests/gen-log

# oracle tests (t-tracer-*.sh): liboracle.so, its programs and a plugin
ORACLE_TD = $(BUILD)/tests
ORACLE_PROGS = $(ORACLE_TD)/oracle-cow $(ORACLE_TD)/oracle-threads $(ORACLE_TD)/oracle-crash \
	$(ORACLE_TD)/oracle-kill $(ORACLE_TD)/oracle-dl $(ORACLE_TD)/oracle-fork

$(ORACLE_TD)/liboracle.so: tests/oracle-lib.c | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -fPIC -shared -Wl,-soname,liboracle.so -o $@ tests/oracle-lib.c

$(ORACLE_TD)/oracle-plugin.so: tests/oracle-plugin.c | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -fPIC -shared -o $@ tests/oracle-plugin.c

$(ORACLE_PROGS): $(ORACLE_TD)/%: tests/%.c $(ORACLE_TD)/liboracle.so | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -o $@ $< -L$(ORACLE_TD) -loracle -ldl -lpthread -Wl,-rpath,'$$ORIGIN'

test-progs: $(ORACLE_TD)/liboracle.so $(ORACLE_TD)/oracle-plugin.so $(ORACLE_PROGS)

# a program with its own unwinder: LLVM's libunwind, when installed
LLVM_UNWIND = $(wildcard /usr/lib/llvm-14/lib/libunwind.so.1)
ifneq ($(LLVM_UNWIND),)
$(BUILD)/tests/own-unwinder: tests/own-unwinder.c | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -O0 -fasynchronous-unwind-tables -o $@ $< $(LLVM_UNWIND) -Wl,-rpath,$(dir $(LLVM_UNWIND))
test-progs: $(BUILD)/tests/own-unwinder
endif

# ---- threads, signals, reentrancy (t-tracer-clone/signals/reentry, make stress)
# libctstress.so: big .data/.bss, no crtbegin (nothing written at exit)
STRESS_PROGS = $(ORACLE_TD)/oracle-race $(ORACLE_TD)/oracle-signals $(ORACLE_TD)/oracle-reentry

$(ORACLE_TD)/libctstress.so: tests/stress-lib.c | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -fPIC -shared -nostartfiles -Wl,-soname,libctstress.so -o $@ tests/stress-lib.c

$(STRESS_PROGS): $(ORACLE_TD)/%: tests/%.c tests/stress-common.h $(ORACLE_TD)/liboracle.so \
		$(ORACLE_TD)/libctstress.so | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -o $@ $< -L$(ORACLE_TD) -lctstress -loracle -ldl -lpthread -Wl,-rpath,'$$ORIGIN'

# a plugin of oracle-reentry: constructor and lazily bound calls into libctstress
$(ORACLE_TD)/libctplugin.so: tests/reentry-plugin.c $(ORACLE_TD)/libctstress.so | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -fPIC -shared -nostartfiles -Wl,-z,lazy -o $@ $< -L$(ORACLE_TD) -lctstress -Wl,-rpath,'$$ORIGIN'

test-progs: $(ORACLE_TD)/libctstress.so $(ORACLE_TD)/libctplugin.so $(STRESS_PROGS)
