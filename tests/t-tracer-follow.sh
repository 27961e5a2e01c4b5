#!/bin/sh
# COWTRACE_FOLLOW: by default programs started by exec are traced too; with
# COWTRACE_FOLLOW=0 only the first program (and its fork children) is, the
# exec'd program sees no LD_PRELOAD of ours, and the user's own preload
# entries stay.
. tests/lib.sh
cat >"$T/pre.c" <<'C'
void user_preload_marker(void) {}
C
cc -shared -fPIC -o "$T/pre.so" "$T/pre.c"

mkdir "$T/on" "$T/off"
out=$(COWTRACE_DIR=$T/on LD_PRELOAD="$LIB:$T/pre.so" sh -c 'env | grep ^LD_PRELOAD=; /bin/true')
CHECK "follow (default): the child still has our preload" sh -c "echo '$out' | grep -q libcowtrace"
CHECK "follow (default): the exec'd /bin/true has a log" [ -n "$(ls "$T/on" | grep '^cowtrace\.true\.')" ]

out=$(COWTRACE_FOLLOW=0 COWTRACE_DIR=$T/off LD_PRELOAD="$LIB:$T/pre.so" sh -c 'env | grep ^LD_PRELOAD=; /bin/true')
CHECK "follow=0: the child's LD_PRELOAD keeps the user's entry only ($out)" [ "$out" = "LD_PRELOAD=$T/pre.so" ]
CHECK "follow=0: the first program has its log" [ -n "$(ls "$T/off" | grep '^cowtrace\.sh\.')" ]
CHECK "follow=0: no log of exec'd programs ($(ls "$T/off" | tr '\n' ' '))" \
	[ -z "$(ls "$T/off" | grep -v '^cowtrace\.sh\.')" ]
done_test
