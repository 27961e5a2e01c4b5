# tests/tests.mk - test programs, built into $(BUILD)/tests/ by `make test-progs`.

$(BUILD)/tests/gen-log: tests/gen-log.c include/cowtrace_log.h | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -o $@ tests/gen-log.c

test-progs: $(BUILD)/tests/gen-log
