#!/usr/bin/env bash
# first-day.sh: a new contributor's first day, scripted in tmux and measured.
#
# It starts `datatui` on a fresh machine (an empty HOME, no dbt, no profiles.yml, no git
# identity) and follows the Onboarding wizard from the first screen to a passing first build,
# pressing only the keys a person would and editing no file by hand. It counts the keys
# pressed and the distinct screens seen, and prints one line per workspace:
#
#   the demo (datatui --demo) and a plain dbt project (a copy of jaffle-shop, the team's
#   datatui.yml saying it builds in DuckDB, no profile yet)
#
# There is no PyPI, dbt or GitHub here, so the outside world is played by stand-ins: `uv`
# records its arguments and prints what uv prints, then puts a `dbt` on PATH; that dbt is
# datatui's test stand-in (internal/ops/testdata/fakedbt), which replays real dbt recordings
# from ../shared/fixtures/real-dbt (the demo's DuckDB build, jaffle-shop's build and debug).
# GitHub answers from a loopback server; GH_TOKEN plays `gh auth login`, done beforehand.
#
# Usage: scripts/first-day.sh [--keep]    (run from the repository root; needs go, tmux, python3)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
fixtures=$(cd "$root/../shared/fixtures" 2>/dev/null && pwd) || { echo "first-day: ../shared/fixtures is missing" >&2; exit 2; }
keep=${1:-}
work=$(mktemp -d)
session="firstday$$"
cleanup() {
	tmux kill-session -t "$session" 2>/dev/null || true
	[ -n "${gh_pid:-}" ] && kill "$gh_pid" 2>/dev/null || true
	if [ "$keep" = --keep ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

# ---- the machine ----
bin="$work/bin"
mkdir -p "$bin"
(cd "$root" && go build -o "$bin/datatui" ./cmd/datatui && go build -o "$work/fakedbt" ./internal/ops/testdata/fakedbt)
for t in git tmux sh cat mkdir chmod basename dirname env; do ln -sf "$(command -v $t)" "$bin/$t"; done

# dbt, as the installer leaves it: the stand-in, replaying the recording of each command.
cat > "$work/dbt" <<EOF
#!/bin/sh
case "\$1" in
--version) printf 'Core:\n  - installed: 1.8.8\n\nPlugins:\n  - duckdb: 1.8.4\n'; exit 0 ;;
debug) FAKEDBT_RECORDING=$fixtures/real-dbt/jaffle-debug FAKEDBT_VARIANT=dev; export FAKEDBT_RECORDING FAKEDBT_VARIANT ;;
build) FAKEDBT_RECORDING=\${FIRSTDAY_BUILD:-$fixtures/real-dbt/demo-duckdb-build}; export FAKEDBT_RECORDING ;;
*) FAKEDBT_RECORDING=$fixtures/real-dbt/demo-parse; export FAKEDBT_RECORDING ;;
esac
echo "dbt \$*" >> "\$HOME/dbt-argv.log"
exec $work/fakedbt "\$@"
EOF
chmod +x "$work/dbt"

# uv: what `uv tool install dbt-core --with dbt-duckdb` prints, and dbt in ~/.local/bin.
cat > "$bin/uv" <<EOF
#!/bin/sh
echo "uv \$*" >> "\$HOME/argv.log"
echo "Resolved 31 packages in 640ms" >&2
echo "Installed 31 packages in 52ms" >&2
echo " + dbt-core==1.8.8" >&2
echo " + dbt-duckdb==1.8.4" >&2
echo "Installed 1 executable: dbt"
mkdir -p "\$HOME/.local/bin" && cat $work/dbt > "\$HOME/.local/bin/dbt" && chmod +x "\$HOME/.local/bin/dbt"
EOF
chmod +x "$bin/uv"

# GitHub: a loopback API that knows the repositories.
mkdir -p "$work/api/repos/example-org" "$work/api/repos/acme"
echo '{"full_name":"example-org/cashback-analytics"}' > "$work/api/repos/example-org/cashback-analytics"
echo '{"full_name":"acme/jaffle-shop"}' > "$work/api/repos/acme/jaffle-shop"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$work/api" && exec python3 -m http.server "$port" --bind 127.0.0.1 >/dev/null 2>&1) &
gh_pid=$!

# ---- the driver ----
keys=0 typed=0
declare -A seen=()
screens=0
note_screen() { # the screen's title line, counted once per kind of screen
	local title
	# The tab bar is line 1; the screen's own title and the form or question follow.
	title=$(tmux capture-pane -p -t "$session" | sed -n '2,8p' | grep -oE '(Onboarding  |Project  |Install dbt with [a-z]+|Set your git name and e-mail|Add your dev target to profiles.yml|Build your first model|Write your dev target)' | tail -1 || true)
	if [ -n "$title" ] && [ -z "${seen[$title]:-}" ]; then seen[$title]=1; screens=$((screens + 1)); fi
}
press() { # press KEY…: one keystroke each (text typed counts one per character)
	for k in "$@"; do
		case "$k" in
		Enter | Escape | Tab | Up | Down | BSpace) tmux send-keys -t "$session" "$k"; keys=$((keys + 1)) ;;
		*) tmux send-keys -t "$session" -l "$k"; keys=$((keys + ${#k})); [ ${#k} -gt 1 ] && typed=$((typed + ${#k})) ;;
		esac
		sleep 0.15
		note_screen
	done
}
wait_for() { # wait_for TEXT [SECONDS]: until TEXT is on the screen
	local text=$1 limit=${2:-60} i=0
	until tmux capture-pane -p -t "$session" | grep -qF -- "$text"; do
		i=$((i + 1))
		if [ $i -gt $((limit * 10)) ]; then
			echo "first-day: waited ${limit}s for \"$text\"; the screen:" >&2
			tmux capture-pane -p -t "$session" >&2
			exit 1
		fi
		sleep 0.1
	done
	note_screen
}
# next_step: wait for the checks to settle, then report the wizard's next step (its title).
next_step() {
	local i=0 quiet=0
	# Settled: nothing on the screen is being checked (the header's "checking…", a step's
	# "… checking"), five times in a row.
	while [ $quiet -lt 5 ] && [ $i -lt 900 ]; do
		if tmux capture-pane -p -t "$session" | grep -q "checking"; then quiet=0; else quiet=$((quiet + 1)); fi
		i=$((i + 1)); sleep 0.1
	done
	tmux capture-pane -p -t "$session" | grep -oE 'Step [0-9]+ of [0-9]+: [^│]*  next' | sed 's/  next$//' | head -1
}

start() { # start NAME DIR ARGS…: a fresh HOME and datatui in tmux, 120×40
	local name=$1 dir=$2
	shift 2
	home="$work/home-$name"
	mkdir -p "$home"
	keys=0 screens=0 typed=0
	seen=()
	tmux new-session -d -s "$session" -x 120 -y 40 -c "$dir" \
		env -i HOME="$home" PATH="$home/.local/bin:$bin" TERM=xterm-256color NO_COLOR=1 LANG=C.UTF-8 \
		XDG_STATE_HOME="$home/.local/state" XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share" \
		GH_TOKEN=first-day-token DATATUI_GITHUB_API_URL="http://127.0.0.1:$port/" \
		FIRSTDAY_BUILD="${FIRSTDAY_BUILD:-}" "$bin/datatui" "$@"
}

# follow: do what the wizard says next, until the first build has passed.
follow() {
	local step last="" same=0
	for _ in $(seq 1 40); do
		step=$(next_step)
		if [ "$step" = "$last" ]; then same=$((same + 1)); else same=0; fi
		[ $same -ge 3 ] && { echo "first-day: stuck at \"$step\"" >&2; tmux capture-pane -p -t "$session" >&2; exit 1; }
		last=$step
		case "$step" in
		*"Install the tools"*) press Enter; wait_for "Install dbt with"; press y; wait_for "Done: Install the tools" 60 ;;
		*"Git identity"*) press Enter; wait_for "Your full name"; press "Jane Doe" Enter "jane.doe@example.com" Enter; wait_for "Done: Git identity" 30 ;;
		*"dbt profile"*) press Enter; wait_for "Sandbox database file"; press Enter Enter; wait_for "y write"; press y; wait_for "Done: dbt profile" 30 ;;
		*"Your first build"*) press Enter; wait_for "Model to build first"; press Enter; wait_for "Done: Your first build" 90; return 0 ;;
		*"Read \"Getting started"* | "") return 0 ;;
		*) press Enter; sleep 1 ;;
		esac
	done
	echo "first-day: did not reach the first build" >&2
	exit 1
}

report() { # report DIR NAME: one line of the measurement, from what dbt itself wrote
	local built
	built=$(python3 - "$1/target/run_results.json" "$home/dbt-argv.log" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
build = [l.split() for l in open(sys.argv[2]) if l.startswith("dbt build")][-1]
model = build[build.index("--select") + 1]
status = [r["status"] for r in results if r["unique_id"].startswith("model.") and r["unique_id"].endswith("." + model)]
print(f"dbt build --select {model}: {status[0] if status else 'not in run_results.json'}")
PY
)
	local names
	names=$(printf '%s\n' "${!seen[@]}" | sed 's/ *$//' | sort | paste -sd, - | sed 's/,/, /g')
	printf '%-36s %3d keys (%d typed characters)  %d screens (%s)  %s\n' "$2" "$keys" "$typed" "$screens" "$names" "$built"
	tmux kill-session -t "$session"
}

# ---- 1. the demo ----
start demo "$work" --demo
wait_for "Onboarding" 30
press 2 # the demo opens on Home, its tour: the Onboarding tab is the second
follow
report "$work/home-demo/.local/state/datatui/demo/project" "demo (datatui --demo)"

# ---- 2. a plain dbt project ----
proj="$work/jaffle-shop"
cp -R "$fixtures/projects/jaffle-shop" "$proj"
rm -rf "$proj/target" "$proj/logs"
cat > "$proj/datatui.yml" <<'EOF'
# The team's settings, committed with the project.
github:
  repo: acme/jaffle-shop
onboarding:
  adapter: duckdb
warehouse:
  prod_database: prod
  clone_database: clone
EOF
# The team's clone of prod, which sandboxes are cloned from: a DuckDB file it shares (here
# the demo's, as datatui built it above).
cp "$work/home-demo/.local/state/datatui/demo/project/warehouse/clone.duckdb" "$proj/clone.duckdb"
git -C "$proj" init -q -b jane/first-model
git -C "$proj" remote add origin git@github.com:acme/jaffle-shop.git
git -C "$proj" -c user.name=team -c user.email=team@example.com add -A
git -C "$proj" -c user.name=team -c user.email=team@example.com commit -qm "the team's project"
FIRSTDAY_BUILD="$fixtures/real-dbt/jaffle-build-ok" start plain "$proj"
wait_for "Onboarding" 30
follow
report "$proj" "plain project (jaffle-shop, DuckDB)"
