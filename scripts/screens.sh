#!/usr/bin/env bash
# screens.sh — captures the demo workspace's screens for the README, so the pictures there are
# the app as it is, not a mock-up. It builds datatui, opens the demo in tmux with a fresh HOME,
# visits each screen, waits until the frame stops changing, and renders the capture (with its
# colours) to docs/screens/NAME.svg with freeze (github.com/charmbracelet/freeze).
#
#   scripts/screens.sh            # all screens at 100x30
#   SIZE=120x40 scripts/screens.sh
#
# Needs: go, tmux. freeze is run with `go run` at a pinned version when it is not on PATH.
# The SVGs use the reader's monospace font (nothing embedded), which keeps each one ~15 KB.
set -euo pipefail

cd "$(dirname "$0")/.."
out=docs/screens
size=${SIZE:-100x30}
cols=${size%x*}
rows=${size#*x}
freeze_version=v0.2.2

work=$(mktemp -d)
session="datatui-screens-$$"
cleanup() {
	tmux kill-session -t "$session" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/datatui" ./cmd/datatui
if command -v freeze >/dev/null 2>&1; then
	freeze=(freeze)
else
	GOBIN="$work/bin" go install "github.com/charmbracelet/freeze@$freeze_version"
	freeze=("$work/bin/freeze")
fi

mkdir -p "$work/home" "$out"
# A fresh HOME: no keyring token, no history, the demo built from scratch; NO_COLOR unset so
# the capture has colours; a fixed TERM so the palette is the same on every machine.
tmux new-session -d -s "$session" -x "$cols" -y "$rows" \
	"env -u NO_COLOR HOME=$work/home TERM=xterm-256color COLORTERM=truecolor $work/datatui --demo"

# settle waits until the app has drawn its tab bar, two captures a quarter second apart are the
# same and no spinner shows: the screen has finished loading.
settle() {
	local prev="" cur i
	for i in $(seq 1 120); do
		sleep 0.25
		cur=$(tmux capture-pane -p -t "$session")
		if [[ "$cur" == *datatui* && "$cur" == "$prev" ]] && ! grep -q '[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]' <<<"$cur"; then
			return 0
		fi
		prev=$cur
	done
	echo "screens: the frame never settled" >&2
	return 1
}

shoot() {
	local name=$1
	settle
	tmux capture-pane -e -p -t "$session" >"$work/$name.ansi"
	"${freeze[@]}" --font.family "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace" \
		--window=false --padding 12 --margin 0 --border.radius 6 \
		-o "$out/$name.svg" "$work/$name.ansi" >/dev/null
	echo "wrote $out/$name.svg"
}

shoot home
tmux send-keys -t "$session" 2
shoot onboarding
tmux send-keys -t "$session" 3
shoot guides
tmux send-keys -t "$session" 4
shoot sandbox
tmux send-keys -t "$session" 5
shoot prs
tmux send-keys -t "$session" 6
shoot lineage
tmux send-keys -t "$session" 7
shoot runs
tmux send-keys -t "$session" q
