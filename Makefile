# cowtrace - see README.md.  Targets: all demo test stress fuzz bench install clean
CC      ?= cc
PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
# the one version: the launcher's --version, the installed man pages
VERSION := $(shell cat VERSION)

WARN     = -Wall -Wextra -Wshadow -Wno-unused-parameter
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) -Iinclude -D_GNU_SOURCE

PRELOAD_SRC = $(filter-out preload/audit.c,$(wildcard preload/*.c))
PRELOAD_OBJ = $(PRELOAD_SRC:%.c=$(BUILD)/%.o)
REPORT_SRC  = $(wildcard report/*.c)
REPORT_OBJ  = $(REPORT_SRC:%.c=$(BUILD)/%.o)

LIB    = $(BUILD)/libcowtrace.so
AUDIT  = $(BUILD)/libcowtrace-audit.so
REPORT = $(BUILD)/cowtrace-report

all: $(LIB) $(AUDIT) $(REPORT) examples

$(BUILD)/preload/%.o: preload/%.c preload/*.h include/*.h | $(BUILD)/preload
	$(CC) $(ALL_CFLAGS) -fPIC -fvisibility=hidden -c $< -o $@

$(LIB): $(PRELOAD_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -shared -Wl,-z,now -Wl,-z,relro -Wl,-soname,libcowtrace.so -o $@ $^ -lunwind -ldl -lpthread

$(AUDIT): preload/audit.c preload/*.h include/*.h | $(BUILD)/preload
	$(CC) $(ALL_CFLAGS) -fPIC -shared -Wl,-z,now -o $@ preload/audit.c -ldl

$(BUILD)/report/%.o: report/%.c report/*.h include/*.h | $(BUILD)/report
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(REPORT): $(REPORT_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ -ldw -lelf -ldebuginfod -llzma -lz -lm

$(BUILD)/preload $(BUILD)/report $(BUILD)/tests:
	mkdir -p $@

include examples/examples.mk
include tests/tests.mk

# a changed rule rebuilds what it makes (GNU make 4.3: not part of $^)
.EXTRA_PREREQS := Makefile examples/examples.mk tests/tests.mk

deps:
	@./scripts/install-deps.sh

test-deps:
	@./scripts/install-deps.sh test

demo: deps
	@$(MAKE) --no-print-directory all
	@./scripts/demo.sh

test: test-deps
	@$(MAKE) --no-print-directory all test-progs
	@./tests/run.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/cowtrace $(DESTDIR)$(PREFIX)/include
	install -m 755 scripts/cowtrace $(DESTDIR)$(PREFIX)/bin/cowtrace
	install -m 755 $(LIB) $(AUDIT) $(DESTDIR)$(PREFIX)/lib/cowtrace/
	install -m 755 $(REPORT) $(DESTDIR)$(PREFIX)/lib/cowtrace/
	install -m 644 include/cowtrace.h include/cowtrace_log.h $(DESTDIR)$(PREFIX)/include/
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/cowtrace
	for m in cowtrace cowtrace-report; do \
		sed 's/"cowtrace [^"]*"/"cowtrace $(VERSION)"/' docs/man/$$m.1 >$(DESTDIR)$(PREFIX)/share/man/man1/$$m.1 && \
		chmod 644 $(DESTDIR)$(PREFIX)/share/man/man1/$$m.1 || exit 1; \
	done
	install -m 644 VERSION $(DESTDIR)$(PREFIX)/share/cowtrace/VERSION

clean:
	rm -rf $(BUILD)

.PHONY: all deps test-deps demo test install clean examples test-progs stress fuzz bench advise-demo

# ---- the README's two commands in a fresh Debian 12 root (slow; as root)
fresh-check:
	@./scripts/fresh-check.sh
.PHONY: fresh-check

# ---- cowtrace advise, predicted and then verified by relinking (needs lld)
advise-demo: all
	@./scripts/advise-demo.sh

# ---- stress: the thread and signal tests 100 times each (not part of make test)
# RUNS=N for another count; prints N/N passed per case
stress: test-deps
	@$(MAKE) --no-print-directory all test-progs
	@BUILD=$(BUILD) RUNS=$(or $(RUNS),100) ./tests/stress/stress.sh

# ---- benchmarks (not part of make test) ----------------------------------
$(BUILD)/bench:
	mkdir -p $@
$(BUILD)/bench/libbench.so: bench/libbench.c | $(BUILD)/bench
	$(CC) $(ALL_CFLAGS) -O2 -fPIC -shared -o $@ $<
$(BUILD)/bench/firstwrite: bench/firstwrite.c $(BUILD)/bench/libbench.so | $(BUILD)/bench
	$(CC) $(ALL_CFLAGS) -O2 -o $@ $< -L$(BUILD)/bench -lbench -Wl,-rpath,'$$ORIGIN'

# the same with a 20,000-page .data (80 MiB on disk), written front to back
$(BUILD)/bench/libbench20k.so: bench/libbench.c | $(BUILD)/bench
	$(CC) $(ALL_CFLAGS) -O2 -DPAGES=20000 -fPIC -shared -Wl,-soname,libbench20k.so -o $@ $<
$(BUILD)/bench/firstwrite20k: bench/firstwrite.c $(BUILD)/bench/libbench20k.so | $(BUILD)/bench
	$(CC) $(ALL_CFLAGS) -O2 -o $@ $< -L$(BUILD)/bench -lbench20k -Wl,-rpath,'$$ORIGIN'

$(BUILD)/bench/startup: bench/startup.c | $(BUILD)/bench
	$(CC) $(ALL_CFLAGS) -O2 -o $@ $<

# perf mode's backtraces: frame-pointer callchain against a stack copy
# unwound with libdwfl (-O2 without frame pointers, as Debian builds)
$(BUILD)/bench/perf-unwind: bench/perf-unwind.c $(BUILD)/bench/libbench.so | $(BUILD)/bench
	$(CC) $(ALL_CFLAGS) -O2 -fomit-frame-pointer -o $@ $< -L$(BUILD)/bench -lbench \
		-Wl,-rpath,'$$ORIGIN' -ldw -lelf

# perf mode's events for every thread: per-thread or per-CPU inherited
$(BUILD)/bench/perf-threads: bench/perf-threads.c | $(BUILD)/bench
	$(CC) $(ALL_CFLAGS) -O2 -o $@ $< -lpthread

bench: all test-progs $(BUILD)/bench/firstwrite $(BUILD)/bench/firstwrite20k $(BUILD)/bench/startup \
	$(BUILD)/bench/perf-unwind $(BUILD)/bench/perf-threads
	@./bench/bench.sh

# ---- fuzzing the log parser (not part of make test) ----------------------
FUZZ_CC   ?= clang
FUZZ_TIME ?= 60
FUZZ_BIN   = $(BUILD)/fuzz/fuzz-logread
$(FUZZ_BIN): tests/fuzz/fuzz-logread.c report/logread.c report/util.c report/*.h include/*.h
	mkdir -p $(BUILD)/fuzz/corpus
	$(FUZZ_CC) -std=gnu11 $(WARN) -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Ireport \
		-D_GNU_SOURCE -o $@ tests/fuzz/fuzz-logread.c report/logread.c report/util.c

# new inputs go to $(BUILD)/fuzz/corpus; the seeds in tests/fuzz/corpus stay as they are
fuzz: $(FUZZ_BIN)
	$(FUZZ_BIN) -max_total_time=$(FUZZ_TIME) -max_len=65536 -timeout=10 \
		$(BUILD)/fuzz/corpus tests/fuzz/corpus

# ---- established projects' test suites, traced vs untraced (not part of make test)
# CPython's regression tests and GLib's installed tests: see docs/test-suites.md
suites: test-deps
	@$(MAKE) --no-print-directory all
	@./tests/suites/run.sh
.PHONY: suites
