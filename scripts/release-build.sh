#!/usr/bin/env bash
# Build datatui for this machine the way a release is built (.goreleaser.yml has the same flags
# per platform, and .ci/run builds everything with the linux/amd64 ones; change them together):
#
#   scripts/release-build.sh OUT [VERSION]
#
# PKG (default ./cmd/datatui) builds another program of the module with the same flags (the
# benchmark's start-up floor, scripts/startfloor).
#
# Every platform: trimmed paths, no symbol tables, and gosnowflake's bundled native library
# left out (minicore_disabled; datatui turns it off at run time anyway, see internal/sfnative).
#
# linux/amd64 is linked statically. A dynamically linked datatui spends about a third of every start
# in the dynamic loader and libstdc++ binding DuckDB's C++ code: `datatui version` takes
# 0.68x the time static (README, Performance). A static binary resolves names and users itself
# (netgo, osusergo, as gh's own CGO-free builds do), so it needs nothing from the host's glibc.
# The linker still warns that DuckDB's C++ code mentions dlopen, getaddrinfo and getpwuid:
# datatui loads no DuckDB extension and opens only local files, so those paths are not taken.
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:?usage: scripts/release-build.sh OUT [VERSION]}
version=${2:-dev}
tags=minicore_disabled
ldflags="-s -w -X main.version=$version"
# linux/arm64 stays dynamic: Debian's static libc for arm64 is built for the small GOT model,
# which a binary of DuckDB's size overflows ("too many GOT entries for -fpic").
if [ "$(go env GOOS)/$(go env GOARCH)" = linux/amd64 ]; then
	tags=$tags,netgo,osusergo
	ldflags="$ldflags -linkmode=external -extldflags=-static"
fi
# The C++ library's link warnings above are expected; anything else the build says is shown.
if ! msg=$(CGO_ENABLED=1 go build -trimpath -tags "$tags" -ldflags "$ldflags" -o "$out" "${PKG:-./cmd/datatui}" 2>&1); then
	printf '%s\n' "$msg" >&2
	exit 1
fi
printf '%s\n' "$msg" | grep -v -e '^$' -e '^# github.com/datatui/datatui/' -e ': in function `' \
	-e "warning: Using '\(dlopen\|getaddrinfo\|getpwuid\)' in statically linked" >&2 || true
