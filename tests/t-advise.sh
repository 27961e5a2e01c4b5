#!/bin/sh
# t-advise.sh - cowtrace advise, predicted and verified.
#  - make advise-demo's run (scripts/advise-demo.sh): libscatter's 64
#    counters on 64 pages predict at most 3 packed pages, and relinking
#    with the emitted lld order gives at most the prediction + 1, measured
#    by a second traced run (the pages, not the advice, decide);
#  - the emitted files: every line of the symbol order is a counter the
#    program writes; the section order names .data.NAME;
#  - a library built without -fdata-sections is said to be, from its
#    DWARF producer strings (compared with readelf's);
#  - a stripped library without debug info: "no symbol table, no packing
#    advice", and no ordering line for it;
#  - relocation advice: libadvcxx's 200 vtables (pages in .data.rel.ro with
#    relocations, counted against readelf -r), and a copy relocation the
#    executable writes.
. tests/lib.sh
need_tracer
need_report
need_python3
command -v ld.lld >/dev/null || skip "no lld (scripts/install-deps.sh test installs it)"
APP=$B/tests/advise-app
[ -x "$APP" ] || skip "build $APP first (make test-progs)"

# 1. the demo: predicted, relinked, measured
BUILD=$T/build CC=${CC:-cc} sh -c "mkdir -p '$T/build' && cp '$REPORT' '$T/build/' &&
	cp '$LIB' '$AUDIT' '$T/build/' && BUILD='$T/build' scripts/advise-demo.sh" >"$T/demo.out" 2>&1
rc=$?
sed -n '/predicted/p' "$T/demo.out"
CHECK "advise-demo ran (exit $rc)" [ $rc -eq 0 ]
line=$(grep 'before .*predicted at most .*measured' "$T/demo.out")
before=$(echo "$line" | sed -n 's/.*before \([0-9]*\),.*/\1/p')
pred=$(echo "$line" | sed -n 's/.*predicted at most \([0-9]*\),.*/\1/p')
meas=$(echo "$line" | sed -n 's/.*measured \([0-9]*\)$/\1/p')
CHECK "demo: 64 pages before ($before)" [ "${before:-0}" -eq 64 ]
CHECK "demo: prediction at most 3 pages ($pred)" [ "${pred:-99}" -le 3 ]
CHECK "demo: measured after relinking <= prediction + 1 ($meas <= $pred + 1)" \
	[ "${meas:-99}" -le $((${pred:-0} + 1)) ]
D=$T/build/advise-demo
CHECK "demo: the symbol order is the 64 counters" \
	sh -c "[ \"\$(sort '$D/order.txt')\" = \"\$(nm '$D/libscatter.so' | awk '/ scatter_counter_/ {print \$3}' | sort)\" ]"
CHECK "demo: the section order names .data.scatter_counter_N" \
	sh -c "[ \$(grep -c '^\\.data\\.scatter_counter_[0-9]*\$' '$D/sections.txt') = 64 ]"

# 2. without -fdata-sections; 3. stripped, no debug file
mkdir -p "$T/nods" "$T/strip"
cc -O2 -g -fPIC -shared -o "$T/nods/libscatter.so" examples/libscatter.c
cc -O2 -o "$T/nods/scatter-demo" examples/scatter-demo.c -L"$T/nods" -lscatter -Wl,-rpath,"$T/nods"
cp "$T/nods/libscatter.so" "$T/strip/"
strip --strip-all "$T/strip/libscatter.so"
cc -O2 -o "$T/strip/scatter-demo" examples/scatter-demo.c -L"$T/strip" -lscatter -Wl,-rpath,"$T/strip"
for v in nods strip; do
	"$COWTRACE" run -o "$T/$v/run" -- "$T/$v/scatter-demo" 1 >/dev/null 2>&1
	"$REPORT" advise --format json --lib libscatter.so --emit-symbol-order "$T/$v/order.txt" \
		"$T/$v/run" >"$T/$v.json" 2>"$T/$v.err"
	"$REPORT" advise --lib libscatter.so --debug-dir /nonexistent "$T/$v/run" >"$T/$v.txt" 2>&1
done
CHECK "no -fdata-sections: readelf's DWARF producer lacks it too" \
	sh -c "! readelf --debug-dump=info '$T/nods/libscatter.so' 2>/dev/null | grep DW_AT_producer | grep -q -- -fdata-sections"
CHECK "no -fdata-sections: JSON data_sections false" python3 -c "
import json, sys
l = json.load(open('$T/nods.json'))['libraries'][0]
print('  nods:', l['data_sections'], l['packed_pages'], len(l['written_symbols']))
sys.exit(0 if l['data_sections'] is False and len(l['written_symbols']) == 64 else 1)"
CHECK "no -fdata-sections: the table says to rebuild" grep -q 'NOT built with -fdata-sections' "$T/nods.txt"
CHECK "stripped: 'no symbol table, no packing advice'" grep -q 'no symbol table, no packing advice' "$T/strip.txt"
CHECK "stripped: no packing numbers in JSON, no ordering line" python3 -c "
import json, os, sys
l = json.load(open('$T/strip.json'))['libraries'][0]
print('  strip:', l['symbols'], l['packed_pages'], l['advice'][:1])
sys.exit(0 if l['packed_pages'] is None and not l['written_symbols'] and
         'no symbol table, no packing advice' in l['advice'] and
         os.path.getsize('$T/strip/order.txt') == 0 else 1)"

# 4. relocation advice: vtables and a copy relocation
"$COWTRACE" run -o "$T/app" -- "$APP" >/dev/null 2>&1
"$REPORT" advise --format json "$T/app" >"$T/app.json"
"$REPORT" advise "$T/app" >"$T/app.txt"
CHECK "vtables: libadvcxx has relocation pages in .data.rel.ro, counted as readelf counts" python3 - "$T/app.json" "$B/tests/libadvcxx.so" <<'EOF'
import json, subprocess, sys
rep = json.load(open(sys.argv[1]))
lib = [l for l in rep["libraries"] if l["path"].endswith("libadvcxx.so")][0]
out = subprocess.run(["readelf", "-rW", sys.argv[2]], capture_output=True, text=True).stdout
sec = subprocess.run(["readelf", "-SW", sys.argv[2]], capture_output=True, text=True).stdout
lo = hi = 0
for line in sec.splitlines():
    f = line.replace("[ ", "[").split()
    if len(f) > 4 and f[1] == ".data.rel.ro":
        lo = int(f[3], 16); hi = lo + int(f[5], 16)
targets = [int(l.split()[0], 16) for l in out.splitlines() if l[:1] in "0123456789abcdef" and len(l.split()) > 2]
pages = {t // 4096 for t in targets if lo <= t < hi}
print("  libadvcxx: relocation pages %d (readelf: %d .data.rel.ro pages with relocations); "
      "relative %d symbolic %d" % (lib["relocation_pages"], len(pages),
      lib["relocations_relative"], lib["relocations_symbolic"]))
sys.exit(0 if lib["relocation_pages"] >= len(pages) > 0 and
         any("vtables" in a for a in lib["advice"]) else 1)
EOF
CHECK "copy relocation: advised for libadvcopy" python3 -c "
import json, sys
rep = json.load(open('$T/app.json'))
lib = [l for l in rep['libraries'] if l['path'].endswith('libadvcopy.so')]
print('  libadvcopy:', [(l['copy_relocation_pages'], l['advice']) for l in lib])
sys.exit(0 if lib and lib[0]['copy_relocation_pages'] > 0 and
         any('-fno-direct-extern-access' in a for a in lib[0]['advice']) else 1)"
CHECK "bad --format: one line, exit 2" sh -c "'$REPORT' advise --format xml '$T/app' 2>&1 >/dev/null | grep -q \"unknown --format value 'xml'\"; [ \$? -eq 0 ]"
done_test
