package onboard

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/datatui/datatui/internal/lazyre"
)

// DBTVersion is what `dbt --version` reports.
type DBTVersion struct {
	// Core is dbt-core's version ("1.8.7"), or dbt Fusion's ("2.0.0-preview.45").
	Core string `json:"core"`
	// Fusion is true for the dbt Fusion engine, which reports one version for everything.
	Fusion bool `json:"fusion,omitempty"`
	// Plugins maps adapter name (snowflake, duckdb…) to its version.
	Plugins map[string]string `json:"plugins,omitempty"`
}

var (
	coreInstalled = lazyre.New(`^\s*-\s*installed:\s*(\S+)`)
	legacyCore    = lazyre.New(`^installed version:\s*(\S+)`)
	pluginLine    = lazyre.New(`^\s*-\s*([a-z0-9_-]+):\s*(\d\S*)`)
	fusionLine    = lazyre.New(`^dbt-fusion\s+(\d\S*)`)
)

// ParseDBTVersion reads the output of `dbt --version`: dbt-core's "Core: - installed: X" and
// "Plugins: - name: X" blocks (1.x), the older "installed version: X" form, and dbt Fusion's
// "dbt-fusion X". Anything else is an error quoting the first line, since a broken dbt often
// prints a Python traceback instead.
func ParseDBTVersion(out []byte) (DBTVersion, error) {
	v := DBTVersion{Plugins: map[string]string{}}
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "Core:":
			section = "core"
			continue
		case trimmed == "Plugins:":
			section = "plugins"
			continue
		}
		if m := fusionLine.FindStringSubmatch(trimmed); m != nil && v.Core == "" {
			v.Core, v.Fusion = m[1], true
			continue
		}
		if m := legacyCore.FindStringSubmatch(trimmed); m != nil && v.Core == "" {
			v.Core, section = m[1], "core"
			continue
		}
		switch section {
		case "core":
			if m := coreInstalled.FindStringSubmatch(line); m != nil && v.Core == "" {
				v.Core = m[1]
			}
		case "plugins":
			if m := pluginLine.FindStringSubmatch(line); m != nil {
				v.Plugins[m[1]] = m[2]
			}
		}
	}
	if v.Core == "" || !validVersion(v.Core) {
		first := strings.TrimSpace(string(out))
		if i := strings.IndexByte(first, '\n'); i >= 0 {
			first = first[:i]
		}
		if first == "" {
			return DBTVersion{}, fmt.Errorf("`dbt --version` printed nothing")
		}
		if len(first) > 120 {
			first = first[:120] + "…"
		}
		return DBTVersion{}, fmt.Errorf("could not read the version from `dbt --version`, which printed %q", first)
	}
	return v, nil
}

var gitVersion = lazyre.New(`git version (\d+\.\d+(?:\.\d+)?)`)

// ParseGitVersion reads "git version 2.43.0" (and "git version 2.39.3 (Apple Git-145)").
func ParseGitVersion(out []byte) (string, error) {
	if m := gitVersion.FindSubmatch(out); m != nil {
		return string(m[1]), nil
	}
	return "", fmt.Errorf("could not read the version from `git --version`: %q", strings.TrimSpace(string(out)))
}

// version is a parsed dotted version: numbers, and whether it is a pre-release
// ("1.9.0b2", "1.9.0rc1", "2.0.0-preview.45"), which sorts before the release.
type version struct {
	nums []int
	pre  string
}

var versionRe = lazyre.New(`^v?(\d+(?:\.\d+)*)(.*)$`)

func parseVersion(s string) (version, bool) {
	m := versionRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return version{}, false
	}
	var v version
	for _, p := range strings.Split(m[1], ".") {
		n, err := strconv.Atoi(p)
		if err != nil {
			return version{}, false
		}
		v.nums = append(v.nums, n)
	}
	v.pre = strings.TrimLeft(m[2], "-.+")
	if strings.HasPrefix(m[2], "+") {
		v.pre = "" // build metadata is not a pre-release
	}
	return v, true
}

func validVersion(s string) bool { _, ok := parseVersion(s); return ok }

func compareVersions(a, b version) int {
	for i := 0; i < max(len(a.nums), len(b.nums)); i++ {
		var x, y int
		if i < len(a.nums) {
			x = a.nums[i]
		}
		if i < len(b.nums) {
			y = b.nums[i]
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	switch {
	case a.pre == b.pre:
		return 0
	case a.pre == "":
		return 1
	case b.pre == "":
		return -1
	case a.pre < b.pre:
		return -1
	default:
		return 1
	}
}

var constraintRe = lazyre.New(`^(>=|<=|==|!=|~=|>|<|=)?\s*(\S+)$`)

// SatisfiesConstraint checks version v against a constraint written the way dbt's
// require-dbt-version and pip write them: comma-separated clauses such as ">=1.8.0,<2.0.0",
// a bare version meaning exactly that version, "~=1.8" meaning >=1.8,<2. An empty constraint
// allows everything.
func SatisfiesConstraint(v, constraint string) (bool, error) {
	got, ok := parseVersion(v)
	if !ok {
		return false, fmt.Errorf("%q is not a version", v)
	}
	for _, clause := range strings.Split(constraint, ",") {
		clause = strings.TrimSpace(clause)
		if clause == "" {
			continue
		}
		m := constraintRe.FindStringSubmatch(clause)
		if m == nil {
			return false, fmt.Errorf("%q is not a version constraint (write it like >=1.8.0,<2.0.0)", clause)
		}
		want, ok := parseVersion(m[2])
		if !ok {
			return false, fmt.Errorf("%q is not a version constraint (write it like >=1.8.0,<2.0.0)", clause)
		}
		c := compareVersions(got, want)
		var pass bool
		switch m[1] {
		case ">=":
			pass = c >= 0
		case "<=":
			pass = c <= 0
		case ">":
			pass = c > 0
		case "<":
			// "<2.0.0" must also refuse 2.0.0's pre-releases, as people mean it.
			pass = c < 0 && !(got.pre != "" && compareVersions(version{nums: got.nums}, want) >= 0)
		case "!=":
			pass = c != 0
		case "~=":
			upper := version{nums: append([]int(nil), want.nums...)}
			if len(upper.nums) > 1 {
				upper.nums = upper.nums[:len(upper.nums)-1]
			}
			upper.nums[len(upper.nums)-1]++
			pass = c >= 0 && compareVersions(got, upper) < 0
		default: // "", "=", "=="
			pass = c == 0 || (len(want.nums) < len(got.nums) && prefixEqual(got.nums, want.nums) && got.pre == want.pre)
		}
		if !pass {
			return false, nil
		}
	}
	return true, nil
}

func prefixEqual(a, prefix []int) bool {
	for i := range prefix {
		if a[i] != prefix[i] {
			return false
		}
	}
	return true
}
