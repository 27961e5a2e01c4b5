/* cowtrace.h - the optional application API of cowtrace.
 *
 * Marks phases of a program's life in its log ("startup", "serving"), so
 * that a report can tell which phase copied which pages.  Costs one
 * pointer test when the tracer is not loaded: the function is a weak
 * reference that stays NULL unless libcowtrace.so is in the process.
 *
 *     #include <cowtrace.h>
 *     COWTRACE_PHASE("serving");
 */
#ifndef COWTRACE_H
#define COWTRACE_H

#ifdef __cplusplus
extern "C" {
#endif

void cowtrace_phase(const char *name) __attribute__((weak));

#define COWTRACE_PHASE(name)                       \
	do {                                       \
		if (cowtrace_phase)                \
			cowtrace_phase(name);      \
	} while (0)

#ifdef __cplusplus
}
#endif

#endif
