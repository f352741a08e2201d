#!/usr/bin/env bash
# Benchmark datatui's start-up and manifest loading against python's json.load, jq and the
# process floor (a Go hello-world and `datatui version`).
#
#   scripts/bench-manifest.sh [--large] [--runs N] [--parse-only PROG] [--gobench] [MANIFEST...]
#
#   --large           also the x100 and x250 manifests (353 MB / 883 MB; generating them takes
#                     a few minutes of python, and each cold load several seconds)
#   --runs N          runs per timing; the best is kept (default 7; cold and python runs: N/2+1)
#   --parse-only PROG a program that only parses its JSON argument (e.g. a simdjson-go
#                     program), timed as one more reference
#   --gobench         also run the in-process go test benchmarks on the x25 manifest
#
# Without MANIFEST the SYNTHETIC manifests are made from the Tuva fixture by
# ../shared/tools/scale-manifest.py at x25 (and x100, x250 with --large), or, without the shared
# fixtures, by scripts/genmanifest. Set DATATUI_BENCH_DIR to keep them between runs.
#
# Times are wall clock, best of several runs, file in the page cache; "cold" has no index cache,
# "warm" asks again what was asked before (printed from the kept answer), "warm, new question"
# lists every node for a question not answered yet, "warm, new tag" and "warm, new name+" ask
# new questions that select little (a tag no node has; a model and its children), answered
# from the selection columns. Peak RSS comes from /usr/bin/time. On a busy machine take the ratios (each
# is measured in the same run as its reference) rather than the absolute numbers.
set -euo pipefail
cd "$(dirname "$0")/.."

large=0 runs=7 parse_only="" gobench=0
manifests=()
while [ $# -gt 0 ]; do
	case $1 in
	--large) large=1 ;;
	--runs) runs=$2; shift ;;
	--parse-only) parse_only=$2; shift ;;
	--gobench) gobench=1 ;;
	-h | --help) sed -n '2,22p' "$0"; exit 0 ;;
	-*) echo "unknown flag $1" >&2; exit 2 ;;
	*) manifests+=("$1") ;;
	esac
	shift
done
few=$((runs / 2 + 1))

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
data=${DATATUI_BENCH_DIR:-$work/data}
mkdir -p "$data"

tuva=../shared/fixtures/manifests/tuva-dbt1.7/manifest.json
if [ ${#manifests[@]} -eq 0 ]; then
	factors=(25)
	[ $large = 1 ] && factors+=(100 250)
	for k in "${factors[@]}"; do
		f=$data/tuva-x$k.json
		if [ ! -s "$f" ]; then
			if [ -f ../shared/tools/scale-manifest.py ] && [ -f $tuva ]; then
				python3 ../shared/tools/scale-manifest.py $tuva "$f.tmp" "$k" >/dev/null
			else
				go run ./scripts/genmanifest -models $((200 * k)) >"$f.tmp"
			fi
			mv "$f.tmp" "$f"
		fi
		manifests+=("$f")
	done
fi

# The binary is built as the release is (scripts/release-build.sh: static on linux/amd64).
bin=$work/datatui
scripts/release-build.sh "$work/build-datatui"
floor=$work/startfloor
PKG=./scripts/startfloor scripts/release-build.sh "$work/build-startfloor"
# Each program runs from a copy, as an install writes it. A file the linker has just written
# sits in the page cache in large pieces that a start maps whole, so a fresh build shows about
# 20 MB more resident memory than the same bytes copied, though it costs no time.
cp "$work/build-datatui" "$bin"
cp "$work/build-startfloor" "$floor"
mkdir -p "$work/hello"
printf 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n' >"$work/hello/main.go"
printf 'module hello\n\ngo 1.26\n' >"$work/hello/go.mod"
(cd "$work/hello" && go build -trimpath -ldflags "-s -w" -o build-hello .)
hello=$work/hello/hello
cp "$work/hello/build-hello" "$hello"
export XDG_STATE_HOME=$work/state

now() { date +%s%N; }
# best RUNS CMD...: the fastest of RUNS runs, in milliseconds
best() {
	local n=$1 min="" t0 t1 d
	shift
	for _ in $(seq "$n"); do
		t0=$(now)
		"$@" >/dev/null 2>&1
		t1=$(now)
		d=$(((t1 - t0) / 1000))
		if [ -z "$min" ] || [ "$d" -lt "$min" ]; then min=$d; fi
	done
	awk -v us="$min" 'BEGIN { printf "%.1f", us / 1000 }'
}
# rss CMD...: peak resident set of one run, in MB
rss() {
	/usr/bin/time -f %M -o "$work/rss" "$@" >/dev/null 2>&1 || true
	awk '{ v = $1 } END { printf "%.0f", v / 1024 }' "$work/rss"
}
# faults CMD...: minor page faults of one run (a warm start's time is mostly first touches of
# memory: each fault is a few microseconds on a virtual machine)
faults() {
	/usr/bin/time -f %R -o "$work/faults" "$@" >/dev/null 2>&1 || true
	awk '{ v = $1 } END { printf "%d", v }' "$work/faults"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
cold() {
	rm -rf "$XDG_STATE_HOME"
	"$bin" ls --manifest "$1"
}
warm() { "$bin" ls --manifest "$@"; }
# warm_new MANIFEST (absolute): a warm ls of a question it has not answered yet, so the index is
# decoded and every line printed again. The working folder is part of an answer's question, so
# each run starts in a folder of its own (made beforehand, outside the timing).
qn=0
warm_new() {
	qn=$((qn + 1))
	(cd "$work/q/$qn" && exec "$bin" ls --manifest "$1" "${@:2}")
}
# warm_tag MANIFEST: a warm ls of a tag not asked for before (a new question each run).
tn=0
warm_tag() {
	tn=$((tn + 1))
	"$bin" ls --manifest "$1" -q -s "tag:bench_new_$$_$tn"
}

echo "machine: $(getconf _NPROCESSORS_ONLN) cores, $(uname -sm), $(go env GOVERSION); load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo ?)"
echo "binary:  $(awk -v s="$(stat -c %s "$bin" 2>/dev/null || stat -f %z "$bin")" 'BEGIN { printf "%.1f MB", s / 1e6 }') (built by scripts/release-build.sh, as the release is)"
echo

# The process floor, measured next to each other.
t_hello=$(best "$runs" "$hello")
t_floor=$(best "$runs" "$floor")
t_version=$(best "$runs" "$bin" version)
echo "process floor: Go hello-world ${t_hello} ms; DuckDB and gosnowflake linked, nothing run (scripts/startfloor) ${t_floor} ms; datatui version ${t_version} ms ($(ratio "$t_version" "$t_hello")x hello, $(ratio "$t_version" "$t_floor")x the drivers' floor; target <= 10 ms); peak RSS $(rss "$hello") MB / $(rss "$floor") MB / $(rss "$bin" version) MB"
echo

# Package init cost: the lowest of several runs per package (the trace's own clock).
echo "package init, datatui version (GODEBUG=inittrace=1, best of $runs runs per package; ms):"
for _ in $(seq "$runs"); do GODEBUG=inittrace=1 "$bin" version 2>&1 >/dev/null; done |
	awk '$1 == "init" { p = $2; t = $5; if (!(p in m) || t < m[p]) m[p] = t }
	END {
		for (p in m) { total += m[p]; if (p ~ /^github.com\/datatui\//) ours += m[p] }
		printf "  %-58s %7.2f\n", "all packages", total
		printf "  %-58s %7.2f\n", "datatui'"'"'s own packages", ours
		for (p in m) if (m[p] >= 0.1) printf "  %-58s %7.2f\n", p, m[p] | "sort -k2 -rn"
		close("sort -k2 -rn")
		# The same by module (aws-sdk-go-v2 comes with gosnowflake, arrow with gosnowflake and
		# DuckDB): what a command pays for each dependency whether it uses it or not.
		for (p in m) { n = split(p, e, "/"); mod = (n >= 3 && e[1] ~ /\./) ? e[1] "/" e[2] "/" e[3] : e[1]; sub(/%2e/, ".", mod); bymod[mod] += m[p] }
		print "  by module:"
		for (d in bymod) if (bymod[d] >= 0.2) printf "    %-56s %7.2f\n", d, bymod[d] | "sort -k2 -rn"
	}'
echo

for f in "${manifests[@]}"; do
	size=$(stat -L -c %s "$f" 2>/dev/null || stat -L -f %z "$f")
	mb=$(awk -v s="$size" 'BEGIN { printf "%.1f", s / 1e6 }')
	cat "$f" >/dev/null # page cache
	listed=$(warm "$f" | wc -l)
	echo "== $f: $mb MB; datatui ls lists $listed nodes"
	t_py=$(best "$few" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$f")
	t_jq=""
	command -v jq >/dev/null && t_jq=$(best "$few" jq '.nodes|length' "$f")
	t_po=""
	[ -n "$parse_only" ] && t_po=$(best "$few" "$parse_only" "$f")
	t_cold=$(best "$few" cold "$f")
	rss_cold=$(rm -rf "$XDG_STATE_HOME" && rss "$bin" ls --manifest "$f")
	# A cache written right after the manifest changed is racy (checked by a full hash) until
	# the manifest is a few seconds old: the benchmark measures the settled case.
	warm "$f" >/dev/null
	# New questions first: each one replaces the kept answer.
	abs=$(cd "$(dirname "$f")" && pwd)/$(basename "$f")
	qn=0
	for k in $(seq "$runs") rss faults; do mkdir -p "$work/q/$k"; done
	t_new=$(best "$runs" warm_new "$abs")
	t_tag=$(best "$runs" warm_tag "$abs")
	# A model near the edge of the graph: its listing (it and its children) is a few lines, so
	# the row measures the question, not the printing.
	model=""
	for m in $(warm "$f" --resource-type model --output name | awk 'NR % 97 == 1' | head -40); do
		model=$m
		[ "$(warm "$f" -q -s "$m+" | wc -l)" -le 20 ] && break
	done
	qn=0 # the folders again: the question differs from the one answered there
	t_name=$(best "$runs" warm_new "$abs" -q -s "${model}+")
	rss_new=$(cd "$work/q/rss" && rss "$bin" ls --manifest "$abs")
	faults_new=$(cd "$work/q/faults" && faults "$bin" ls --manifest "$abs")
	warm "$f" >/dev/null
	t_warm=$(best "$runs" warm "$f")
	t_version=$(best "$runs" "$bin" version)
	rss_warm=$(rss "$bin" ls --manifest "$f")
	rss_version=$(rss "$bin" version)
	faults_warm=$(faults "$bin" ls --manifest "$f")
	faults_version=$(faults "$bin" version)
	printf "  %-34s %9s ms\n" "python json.load" "$t_py"
	[ -n "$t_jq" ] && printf "  %-34s %9s ms  (%sx python)\n" "jq '.nodes|length'" "$t_jq" "$(ratio "$t_jq" "$t_py")"
	[ -n "$t_po" ] && printf "  %-34s %9s ms  (%sx python)\n" "$(basename "$parse_only") (parse only)" "$t_po" "$(ratio "$t_po" "$t_py")"
	printf "  %-34s %9s ms  (%sx python, %sx jq%s; target <= 0.2x python)\n" "datatui ls, cold" "$t_cold" "$(ratio "$t_cold" "$t_py")" \
		"$([ -n "$t_jq" ] && ratio "$t_cold" "$t_jq" || echo -)" "$([ -n "$t_po" ] && echo ", $(ratio "$t_cold" "$t_po")x parse-only")"
	printf "  %-34s %9s ms  (%sx python; %s ms above datatui version = %s ms; target <= +5 ms)\n" "datatui ls, warm" "$t_warm" \
		"$(ratio "$t_warm" "$t_py")" "$(awk -v a="$t_warm" -v b="$t_version" 'BEGIN { printf "%.1f", a - b }')" "$t_version"
	printf "  %-34s %9s ms  (%sx python; %s ms above datatui version: every node listed from the selection columns)\n" "datatui ls, warm, new question" "$t_new" \
		"$(ratio "$t_new" "$t_py")" "$(awk -v a="$t_new" -v b="$t_version" 'BEGIN { printf "%.1f", a - b }')"
	printf "  %-34s %9s ms  (%s ms above datatui version; target <= +5 ms)\n" "datatui ls, warm, new tag" "$t_tag" \
		"$(awk -v a="$t_tag" -v b="$t_version" 'BEGIN { printf "%.1f", a - b }')"
	printf "  %-34s %9s ms  (%s ms above datatui version; %s+, %s lines; target <= +5 ms)\n" "datatui ls, warm, new name+" "$t_name" \
		"$(awk -v a="$t_name" -v b="$t_version" 'BEGIN { printf "%.1f", a - b }')" "$model" "$(warm "$f" -q -s "$model+" | wc -l)"
	printf "  %-34s %9s MB  (%sx the file; %s MB above datatui version's %s MB = %sx; target <= 1.2x)\n" "peak RSS, cold ls" "$rss_cold" \
		"$(awk -v r="$rss_cold" -v s="$size" 'BEGIN { printf "%.2f", r * 1048576 / s }')" "$((rss_cold - rss_version))" "$rss_version" \
		"$(awk -v r="$rss_cold" -v b="$rss_version" -v s="$size" 'BEGIN { printf "%.2f", (r - b) * 1048576 / s }')"
	for w in warm new; do
		r=rss_$w fa=faults_$w label="warm ls"
		[ $w = new ] && label="warm ls, new question"
		printf "  %-34s %9s MB  (%s MB above datatui version = %sx the file)\n" "peak RSS, $label" "${!r}" "$((${!r} - rss_version))" \
			"$(awk -v r="${!r}" -v b="$rss_version" -v s="$size" 'BEGIN { printf "%.2f", (r - b) * 1048576 / s }')"
		printf "  %-34s %9s     (%s above datatui version's %s)\n" "page faults, $label" "${!fa}" "$((${!fa} - faults_version))" "$faults_version"
	done
	echo
done

if [ $gobench = 1 ]; then
	echo "in-process (go test -bench, manifest ${manifests[0]}):"
	DATATUI_BENCH_MANIFEST=${manifests[0]} go test -run '^$' -bench 'LoadManifest|SelectDefault|LsWarm' -benchmem -count 3 ./internal/dbt ./internal/dbt/selector ./cmd/datatui |
		grep -E '^Benchmark'
fi
