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

# kernel writes through ioctl, prctl, syscall(), LFS and _FORTIFY_SOURCE names
$(ORACLE_TD)/oracle-kwrites: tests/oracle-kwrites.c $(ORACLE_TD)/liboracle.so | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -O2 -D_FORTIFY_SOURCE=2 -Wno-unused-result -o $@ $< \
		-L$(ORACLE_TD) -loracle -lpthread -Wl,-rpath,'$$ORIGIN'
test-progs: $(ORACLE_TD)/oracle-kwrites

# ---- report: phases, copy relocation, writers with lines (t-report-phase,
# t-report-golden): phase-app and its libphase.so, with debug info whatever
# CFLAGS says, so that the golden file's lines do not depend on it
$(BUILD)/tests/libphase.so: tests/phase-lib.c | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -g -O1 -fPIC -shared -Wl,-soname,libphase.so -o $@ $<

# -z now: no lazy binding, so the parent writes no page of its own while the
# child runs (a parent's write after fork makes the child's copy of that page
# exclusive: attach or run time in the child would depend on timing)
$(BUILD)/tests/phase-app: tests/phase-app.c $(BUILD)/tests/libphase.so | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -g -O1 -fPIE -pie -Wl,-z,now -o $@ $< -L$(BUILD)/tests -lphase -Wl,-rpath,'$$ORIGIN'

test-progs: $(BUILD)/tests/phase-app

# ---- memory changes by the application (t-tracer-memory*.sh) ----------------
$(ORACLE_TD)/memory-app: tests/memory-app.c $(ORACLE_TD)/liboracle.so | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -o $@ $< -L$(ORACLE_TD) -loracle -lpthread -Wl,-rpath,'$$ORIGIN'

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

# lifetime, descriptor, crash and failure-mode tests (t-tracer-lifetime,
# t-tracer-fds, t-tracer-crash2, t-tracer-fail): programs on liboracle, a
# waiter that prints the wait status, a seccomp launcher and a static program
LIFE_PROGS = $(ORACLE_TD)/life $(ORACLE_TD)/fds $(ORACLE_TD)/fds-reuse $(ORACLE_TD)/crash2 $(ORACLE_TD)/fill \
	$(ORACLE_TD)/sandbox

$(LIFE_PROGS): $(ORACLE_TD)/%: tests/%.c $(ORACLE_TD)/liboracle.so | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -Iinclude -o $@ $< -L$(ORACLE_TD) -loracle -lpthread -Wl,-rpath,'$$ORIGIN'

$(ORACLE_TD)/waitstatus $(ORACLE_TD)/seccomp-run $(ORACLE_TD)/deny-run: $(ORACLE_TD)/%: tests/%.c | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -o $@ $<

# static: no tracer can attach; the test skips when libc.a is missing
$(ORACLE_TD)/static-hello: tests/static-hello.c | $(BUILD)/tests
	-$(CC) $(ALL_CFLAGS) -static -o $@ $<

test-progs: $(LIFE_PROGS) $(ORACLE_TD)/waitstatus $(ORACLE_TD)/seccomp-run $(ORACLE_TD)/deny-run $(ORACLE_TD)/static-hello

# ---- h-perf: bt-oracle, a program that knows its own backtraces ----------
# (frame pointers, -O0; t-tracer-backtrace.sh compares the logged frames)
$(BUILD)/tests/bt-oracle: tests/bt-oracle.c | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -O0 -fno-omit-frame-pointer -fno-inline -o $@ $< -ldl -lpthread
$(BUILD)/tests/bt-big.so: tests/bt-writer.S | $(BUILD)/tests
	$(CC) -DBIG -shared -fPIC -o $@ $<
$(BUILD)/tests/bt-small.so: tests/bt-writer.S | $(BUILD)/tests
	$(CC) -shared -fPIC -o $@ $<
test-progs: $(BUILD)/tests/bt-oracle $(BUILD)/tests/bt-big.so $(BUILD)/tests/bt-small.so

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

# the list forms of exec (t-tracer-exec-list.sh)
$(BUILD)/tests/exec-list: tests/exec-list.c | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -o $@ $<
test-progs: $(BUILD)/tests/exec-list

# thread cancellation and the tracer (t-tracer-cancel.sh)
$(ORACLE_TD)/oracle-cancel: tests/oracle-cancel.c $(ORACLE_TD)/liboracle.so | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -Wno-unused-result -o $@ $< -L$(ORACLE_TD) -loracle -lpthread -Wl,-rpath,'$$ORIGIN'
test-progs: $(ORACLE_TD)/oracle-cancel

# ---- cowtrace advise (t-advise.sh): vtables relocated at load, a copy
# relocation written by the executable (non-PIE: copy relocations)
$(BUILD)/tests/libadvcxx.so: tests/advise-cxx.cc | $(BUILD)/tests
	$(CXX) -O1 -g -fPIC -shared -o $@ $<
$(BUILD)/tests/libadvcopy.so: tests/advise-copy.c | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -DLIB -fPIC -shared -o $@ $<
$(BUILD)/tests/advise-app: tests/advise-copy.c $(BUILD)/tests/libadvcxx.so $(BUILD)/tests/libadvcopy.so | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -fno-pic -no-pie -o $@ $< -L$(BUILD)/tests -ladvcopy -ladvcxx -Wl,-rpath,'$$ORIGIN'
test-progs: $(BUILD)/tests/advise-app

# ---- the whole object as the kernel counts it (t-tracer-whole.sh): a C++
# library with 3,000 vtables (relocated at load), libstdc++, liboracle and
# a dlopen'd plugin
$(BUILD)/tests/vtables.cc: tests/gen-vtables.py | $(BUILD)/tests
	python3 tests/gen-vtables.py 3000 $@
$(BUILD)/tests/libvtables.so: $(BUILD)/tests/vtables.cc
	$(CXX) -O0 -fPIC -shared -o $@ $<
$(BUILD)/tests/whole-app: tests/whole-app.c tests/snapshot.h $(BUILD)/tests/libvtables.so $(ORACLE_TD)/liboracle.so $(ORACLE_TD)/oracle-plugin.so
	$(CC) $(ALL_CFLAGS) -o $@ $< -L$(BUILD)/tests -lvtables -loracle -ldl -Wl,-rpath,'$$ORIGIN'
test-progs: $(BUILD)/tests/whole-app

# ---- automatic phases (t-tracer-phases.sh)
$(ORACLE_TD)/phases-app: tests/phases-app.c $(ORACLE_TD)/liboracle.so | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -o $@ $< -L$(ORACLE_TD) -loracle -Wl,-rpath,'$$ORIGIN'
test-progs: $(ORACLE_TD)/phases-app

# ---- debug files from a debuginfod server (t-report-debuginfod.sh): a
# stripped library whose debug file only the server has
$(BUILD)/tests/dbgsrv/libdbg.debug: tests/dbg-lib.c | $(BUILD)/tests
	mkdir -p $(BUILD)/tests/dbgsrv $(BUILD)/tests/dbglib
	$(CC) $(ALL_CFLAGS) -g -fPIC -shared -Wl,--build-id -o $(BUILD)/tests/dbglib/libdbg.so $<
	objcopy --only-keep-debug $(BUILD)/tests/dbglib/libdbg.so $@
	strip --strip-all $(BUILD)/tests/dbglib/libdbg.so
$(BUILD)/tests/dbg-app: tests/dbg-app.c $(BUILD)/tests/dbgsrv/libdbg.debug
	$(CC) $(ALL_CFLAGS) -o $@ $< -L$(BUILD)/tests/dbglib -ldbg -Wl,-rpath,'$$ORIGIN/dbglib'
test-progs: $(BUILD)/tests/dbg-app

# ---- pages written while the process ends (t-tracer-teardown.sh) ------------
$(ORACLE_TD)/libdtor.so: tests/dtor-lib.c | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -fPIC -shared -Wl,-soname,libdtor.so -o $@ $<
$(ORACLE_TD)/dtor-app: tests/dtor-app.c $(ORACLE_TD)/libdtor.so | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -o $@ $< -L$(ORACLE_TD) -ldtor -Wl,-rpath,'$$ORIGIN'
test-progs: $(ORACLE_TD)/dtor-app

# ---- a prefork server's workers, each against its own pagemap and smaps
# (t-tracer-forkserver.sh)
$(ORACLE_TD)/forkserver-app: tests/forkserver-app.c tests/pagemap-dirty.h $(ORACLE_TD)/liboracle.so | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -o $@ $< -L$(ORACLE_TD) -loracle -Wl,-rpath,'$$ORIGIN'
test-progs: $(ORACLE_TD)/forkserver-app

# ---- writers of the pages the signal backend leaves to its scans, from
# fault samples (t-tracer-writers.sh): libwriters.so, given up on under a
# small COWTRACE_MAX_MAPS, and a program with a thread, a fork and dlopen
$(ORACLE_TD)/libwriters.so: tests/writers-lib.c | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -fPIC -shared -Wl,-soname,libwriters.so -o $@ $<
$(ORACLE_TD)/writers-app: tests/writers-app.c tests/snapshot.h tests/pagemap-dirty.h $(ORACLE_TD)/libwriters.so \
		$(BUILD)/tests/libvtables.so $(ORACLE_TD)/oracle-plugin.so | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -o $@ $< -L$(ORACLE_TD) -lwriters -lvtables -ldl -lpthread -Wl,-rpath,'$$ORIGIN'
test-progs: $(ORACLE_TD)/writers-app
