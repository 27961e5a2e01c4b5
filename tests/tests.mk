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

# ---- memory changes by the application (t-tracer-memory*.sh) ----------------
$(ORACLE_TD)/memory-app: tests/memory-app.c $(ORACLE_TD)/liboracle.so | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -o $@ $< -L$(ORACLE_TD) -loracle -Wl,-rpath,'$$ORIGIN'

test-progs: $(ORACLE_TD)/memory-app

# ---- the VMA limit (t-tracer-vma.sh): 40,000 file-backed writable pages ------
# libvmabig.so is 160 MiB on disk (initialised .data): built once, in build/.
$(ORACLE_TD)/libvmabig.so: tests/vma-lib.c | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -fPIC -shared -Wl,-soname,libvmabig.so -o $@ $<

$(ORACLE_TD)/vma-app: tests/vma-app.c $(ORACLE_TD)/libvmabig.so | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -o $@ $< -L$(ORACLE_TD) -lvmabig -Wl,-rpath,'$$ORIGIN'

test-progs: $(ORACLE_TD)/vma-app

# ---- thousands of dlopen/dlclose cycles (t-tracer-dlcycles.sh) --------------
$(ORACLE_TD)/dl-cycles: tests/dl-cycles.c $(ORACLE_TD)/liboracle.so | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -o $@ $< -L$(ORACLE_TD) -loracle -ldl -Wl,-rpath,'$$ORIGIN'

test-progs: $(ORACLE_TD)/dl-cycles
