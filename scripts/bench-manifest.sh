#!/usr/bin/env bash
# Benchmark datatui's manifest index on one large manifest, against python's json.load and jq.
#
#   scripts/bench-manifest.sh [MANIFEST]
#
# Without MANIFEST a SYNTHETIC ~90 MB / ~10k-node manifest is generated: the Tuva fixture scaled
# 25× by ../shared/tools/scale-manifest.py when the shared fixtures are present, else
# scripts/genmanifest. Times are the best of several runs (wall clock, file in the page cache).
# Targets: cold ls <= 0.25x python, warm ls <= 0.05x python, warm peak RSS < 25% of the file.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

F=${1:-}
src="$F"
if [ -z "$F" ]; then
	F=$work/manifest.json
	if [ -f ../shared/tools/scale-manifest.py ] && [ -f ../shared/fixtures/manifests/tuva-dbt1.7/manifest.json ]; then
		python3 ../shared/tools/scale-manifest.py ../shared/fixtures/manifests/tuva-dbt1.7/manifest.json "$F" 25 >/dev/null
		src="tuva-dbt1.7 x25 (scale-manifest.py, synthetic)"
	else
		go run ./scripts/genmanifest -models 5000 >"$F"
		src="genmanifest -models 5000 (synthetic)"
	fi
fi

go build -o "$work/datatui" ./cmd/datatui
export XDG_STATE_HOME=$work/state
cat "$F" >/dev/null # page cache

now() { date +%s%N; }
# best RUNS CMD...: the fastest of RUNS runs, in seconds
best() {
	local runs=$1
	shift
	local min=""
	for _ in $(seq "$runs"); do
		local t0 t1
		t0=$(now)
		"$@" >/dev/null 2>&1
		t1=$(now)
		local d=$(((t1 - t0) / 1000))
		if [ -z "$min" ] || [ "$d" -lt "$min" ]; then min=$d; fi
	done
	awk -v us="$min" 'BEGIN { printf "%.3f", us / 1e6 }'
}

cold() {
	rm -rf "$XDG_STATE_HOME"
	"$work/datatui" ls --manifest "$F"
}
warm() { "$work/datatui" ls --manifest "$F"; }

size=$(stat -c %s "$F" 2>/dev/null || stat -f %z "$F")
nodes=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(sum(len(m.get(s) or {}) for s in ("nodes","sources","exposures","metrics","semantic_models","saved_queries","unit_tests")))' "$F")
listed=$(warm | wc -l)

t_cold=$(best 5 cold)
warm >/dev/null
t_warm=$(best 7 warm)
t_base=$(best 7 "$work/datatui" version)
t_py=$(best 3 python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$F")
t_jq=""
if command -v jq >/dev/null; then t_jq=$(best 3 jq '.nodes|length' "$F"); fi

rss_warm=""
rss_base=""
if /usr/bin/time -f %M true >/dev/null 2>&1; then
	rss_warm=$({ /usr/bin/time -f %M "$work/datatui" ls --manifest "$F" >/dev/null; } 2>&1 | tail -1)
	rss_base=$({ /usr/bin/time -f %M "$work/datatui" version >/dev/null; } 2>&1 | tail -1)
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
echo "manifest:            $src"
echo "                     $(awk -v s="$size" 'BEGIN { printf "%.1f MB", s / 1e6 }'), $nodes nodes; datatui ls lists $listed"
echo "cpus:                $(getconf _NPROCESSORS_ONLN)"
echo "python json.load:    ${t_py}s"
[ -n "$t_jq" ] && echo "jq '.nodes|length':  ${t_jq}s ($(ratio "$t_jq" "$t_py")x python)"
echo "datatui ls cold:     ${t_cold}s ($(ratio "$t_cold" "$t_py")x python; target <= 0.25x)"
echo "datatui ls warm:     ${t_warm}s ($(ratio "$t_warm" "$t_py")x python; target <= 0.05x)"
echo "process baseline:    ${t_base}s for 'datatui version' (start-up of the whole binary, in both ls times)"
echo "warm ls minus baseline: $(awk -v a="$t_warm" -v b="$t_base" 'BEGIN { printf "%.3fs (%.3fx python)", a - b, (a - b) / '"$t_py"' }')"
if [ -n "$rss_warm" ]; then
	echo "peak RSS warm ls:    $((rss_warm / 1024)) MB ($(awk -v r="$rss_warm" -v s="$size" 'BEGIN { printf "%.0f%%", r * 1024 * 100 / s }') of the file; target < 25%)"
	echo "peak RSS of 'datatui version' (process baseline): $((rss_base / 1024)) MB; warm ls above it: $(((rss_warm - rss_base) / 1024)) MB ($(awk -v r="$rss_warm" -v b="$rss_base" -v s="$size" 'BEGIN { printf "%.0f%%", (r - b) * 1024 * 100 / s }') of the file)"
fi
