// Package config loads datatui.yml, the file a data team commits at the root of its analytics
// repository to tell datatui how the team works: which databases are prod and the clone, how a
// contributor's sandbox is named, which role contributors use, where the GitHub repo and the
// dbt Cloud CI job live, and which handbook folders to add.
//
// Every field has a default, so a repository without datatui.yml still works. Errors name the
// file, the line and the key, because the person reading them is often not the one who wrote it.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/datatui/datatui/internal/lazyre"
	"github.com/datatui/datatui/internal/safeyaml"
)

// FileName is the name datatui looks for at the repository root and in the dbt project folder.
const FileName = "datatui.yml"

// Config is the team's datatui.yml. The YAML keys are the documented schema (README,
// "Configuration"); keep both in step.
type Config struct {
	// Version of the schema; only 1 exists.
	Version int `yaml:"version"`
	// Warehouse describes the team's databases and roles.
	Warehouse Warehouse `yaml:"warehouse"`
	// DBT holds the dbt-side settings.
	DBT DBT `yaml:"dbt"`
	// GitHub names the analytics repository and its base branch.
	GitHub GitHub `yaml:"github"`
	// DBTCloud names the dbt Cloud account and CI job, when the team uses dbt Cloud CI.
	DBTCloud DBTCloud `yaml:"dbt_cloud"`
	// Guides lists folders (relative to the repository root) with the team's own handbook pages.
	Guides []string `yaml:"guides"`
	// Onboarding lists what a contributor's machine must have.
	Onboarding Onboarding `yaml:"onboarding"`
	// PagerDuty names the team's on-call schedule and the services its data alerts page.
	PagerDuty PagerDuty `yaml:"pagerduty"`
	// Terraform is where the team defines its Snowflake roles and grants.
	Terraform Terraform `yaml:"terraform"`
	// Help says where contributors ask for help.
	Help Help `yaml:"help"`
}

// Warehouse is the team's database layout and role policy.
type Warehouse struct {
	// ProdDatabase is the production database (never written by datatui).
	ProdDatabase string `yaml:"prod_database"`
	// CloneDatabase is the zero-copy clone of prod that sandboxes are cloned from.
	CloneDatabase string `yaml:"clone_database"`
	// SandboxPattern names a contributor's sandbox; "{user}" is replaced by the normalised
	// user name (upper-cased, anything but letters, digits and _ turned into _).
	SandboxPattern string `yaml:"sandbox_pattern"`
	// Protected lists more databases that must never be written (raw landing zones, shares).
	Protected []string `yaml:"protected"`
	// ContributorRole is the least-privilege role contributors work with.
	ContributorRole string `yaml:"contributor_role"`
	// AdminRoles are roles that must be assumed explicitly; datatui warns while one is active.
	AdminRoles []string `yaml:"admin_roles"`
	// RefreshPolicyDays is how old a sandbox may get before datatui suggests a refresh.
	RefreshPolicyDays int `yaml:"refresh_policy_days"`
}

// DBT holds the dbt-side settings.
type DBT struct {
	// Target is the profiles.yml target that points at the contributor's sandbox.
	Target string `yaml:"target"`
	// AllowedTargets are other targets datatui may run dbt against (default: only Target).
	AllowedTargets []string `yaml:"allowed_targets"`
	// ProdManifest is a folder holding prod's manifest.json, for state:modified comparisons.
	ProdManifest string `yaml:"prod_manifest"`
	// StarterModel is the model a new contributor builds first.
	StarterModel string `yaml:"starter_model"`
	// Docker runs dbt from the team's image instead of a dbt installed on the machine.
	Docker Docker `yaml:"docker"`
	// Wrapper is a command that runs dbt for the team (a script that starts its container,
	// `docker compose run --rm dbt`…): dbt's arguments are appended to it. A relative path
	// with a slash is taken from the dbt project folder.
	Wrapper []string `yaml:"wrapper"`
}

// Docker describes how dbt runs in a container: `docker run` of Image with the project and
// the profiles folder mounted at the same paths as on the machine, so dbt's paths, artifacts
// and logs are where a local dbt would put them.
type Docker struct {
	// Image is the image with dbt ("ghcr.io/acme/dbt:1.8"); empty means dbt runs locally.
	Image string `yaml:"image"`
	// Command is what runs in the image before dbt's arguments; empty means the image's
	// entrypoint is dbt (as in dbt Labs' images).
	Command []string `yaml:"command"`
	// Mounts are more volumes, "host:container[:ro]"; ~ and relative host paths are taken
	// from your home and the dbt project folder.
	Mounts []string `yaml:"mounts"`
	// Env are more variables passed in: NAME (its value from your environment) or NAME=value.
	// dbt's own DBT_* variables are always passed.
	Env []string `yaml:"env"`
	// Network is docker run's --network ("host" to reach a database on this machine).
	Network string `yaml:"network"`
	// User is docker run's --user; empty runs as you (your uid:gid), so the files dbt writes
	// in the project stay yours.
	User string `yaml:"user"`
	// CLI is the docker-compatible command (docker, podman), a name on PATH or a path.
	CLI string `yaml:"cli"`
}

// Enabled reports whether dbt runs in a container.
func (d Docker) Enabled() bool { return d.Image != "" }

// Executable is the docker CLI to run ("docker" when not set).
func (d Docker) Executable() string {
	if d.CLI == "" {
		return "docker"
	}
	return d.CLI
}

// GitHub names the analytics repository.
type GitHub struct {
	// Repo is "owner/name"; empty means "from the git remote".
	Repo string `yaml:"repo"`
	// Host is github.com or a GitHub Enterprise host.
	Host string `yaml:"host"`
	// BaseBranch is the branch pull requests target.
	BaseBranch string `yaml:"base_branch"`
	// RequiredChecks are check names that must pass, when branch protection is not readable.
	RequiredChecks []string `yaml:"required_checks"`
}

// DBTCloud names the dbt Cloud CI job.
type DBTCloud struct {
	// Host is the dbt Cloud API host (cloud.getdbt.com, emea.dbt.com, a cell host…).
	Host string `yaml:"host"`
	// AccountID is the dbt Cloud account.
	AccountID int64 `yaml:"account_id"`
	// CIJobID is the job that builds pull requests.
	CIJobID int64 `yaml:"ci_job_id"`
}

// Onboarding lists the requirements of the first-day wizard.
type Onboarding struct {
	// DBTVersion is a version constraint such as ">=1.8.0,<2.0.0".
	DBTVersion string `yaml:"dbt_version"`
	// Adapter is the dbt adapter contributors need (snowflake, duckdb…).
	Adapter string `yaml:"adapter"`
	// Tools lists extra executables that must be on PATH.
	Tools []string `yaml:"tools"`
}

// PagerDuty names what datatui reads from the team's PagerDuty account. The token is the
// person's own (PAGERDUTY_TOKEN or the OS keyring), never in this file.
type PagerDuty struct {
	// Schedule is the on-call schedule of the data team: its ID ("PQ1A2B3") or its name.
	Schedule string `yaml:"schedule"`
	// Services are the PagerDuty services (IDs or names) whose incidents concern the data
	// (loads, dbt builds); their open incidents are shown.
	Services []string `yaml:"services"`
}

// Configured reports whether the team uses PagerDuty with datatui.
func (p PagerDuty) Configured() bool { return p.Schedule != "" || len(p.Services) > 0 }

// Terraform is where the team's Terraform for Snowflake lives.
type Terraform struct {
	// Dir is the folder (relative to the repository root) whose .tf files define the roles
	// and grants.
	Dir string `yaml:"dir"`
}

// Help says where contributors ask for help.
type Help struct {
	// Channels are the team's help channels, the first (or the one marked reports) being
	// where a doctor report is pasted.
	Channels []HelpChannel `yaml:"channels"`
	// OfficeHours says when the data team answers questions live ("Tuesdays 14:00-15:00 CET
	// in #data-office-hours").
	OfficeHours string `yaml:"office_hours"`
}

// HelpChannel is one place to ask.
type HelpChannel struct {
	// Name is what people call it ("#data-help").
	Name string `yaml:"name"`
	// URL opens it (a Slack or Teams link), optional.
	URL string `yaml:"url"`
	// For says what to ask there ("questions about models", "access requests").
	For string `yaml:"for"`
	// Reports marks the channel where doctor reports go.
	Reports bool `yaml:"reports"`
}

// ReportChannel is where a doctor report is pasted: the channel marked reports, else the
// first; false when the team lists none.
func (h Help) ReportChannel() (HelpChannel, bool) {
	for _, c := range h.Channels {
		if c.Reports {
			return c, true
		}
	}
	if len(h.Channels) > 0 {
		return h.Channels[0], true
	}
	return HelpChannel{}, false
}

// Lines say where to ask, for the end of a report and Home's help card: "Ask in #data-help
// (https://…): questions about models", "Office hours: Tuesdays 14:00-15:00". None when the
// team lists nothing.
func (h Help) Lines() []string {
	var out []string
	for _, c := range h.Channels {
		l := "Ask in " + c.Name
		if c.URL != "" {
			l += " (" + c.URL + ")"
		}
		if c.For != "" {
			l += ": " + c.For
		}
		out = append(out, l)
	}
	if h.OfficeHours != "" {
		out = append(out, "Office hours: "+h.OfficeHours)
	}
	return out
}

// ReportLines say where a doctor report goes and when office hours are.
func (h Help) ReportLines() []string {
	var out []string
	if c, ok := h.ReportChannel(); ok {
		l := "Paste this report in " + c.Name
		if c.URL != "" {
			l += " (" + c.URL + ")"
		}
		out = append(out, l+".")
	}
	if h.OfficeHours != "" {
		out = append(out, "Or bring it to office hours: "+h.OfficeHours+".")
	}
	return out
}

// Default returns the configuration used when a repository has no datatui.yml.
func Default() *Config {
	return &Config{
		Version: 1,
		Warehouse: Warehouse{
			ProdDatabase:      "ANALYTICS",
			CloneDatabase:     "ANALYTICS_CLONE",
			SandboxPattern:    "SANDBOX_{user}",
			ContributorRole:   "CONTRIBUTOR",
			AdminRoles:        []string{"ACCOUNTADMIN", "SYSADMIN", "SECURITYADMIN", "USERADMIN", "ORGADMIN"},
			RefreshPolicyDays: 14,
		},
		DBT:      DBT{Target: "dev"},
		GitHub:   GitHub{Host: "github.com", BaseBranch: "main"},
		DBTCloud: DBTCloud{Host: "cloud.getdbt.com"},
	}
}

// Error is a validation or syntax error in a config file, pointing at the line and key.
type Error struct {
	File string
	Line int    // 1-based; 0 when unknown
	Key  string // dotted path such as "warehouse.sandbox_pattern"
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Key != "" {
		fmt.Fprintf(&b, ": %s", e.Key)
	}
	fmt.Fprintf(&b, ": %s", e.Msg)
	return b.String()
}

// Load reads and validates path. A missing file is not an error: it returns the defaults and
// os.ErrNotExist wrapped, so callers can tell "no file" from "bad file".
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Default(), err
	}
	return Parse(path, data)
}

// Parse decodes data (named path in errors) over the defaults and validates the result.
func Parse(path string, data []byte) (*Config, error) {
	cfg := Default()
	data = TrimBOM(data)
	if len(bytes.TrimSpace(data)) == 0 {
		return cfg, nil
	}
	if err := safeyaml.Decode(data, cfg, yaml.Strict()); errors.Is(err, io.EOF) {
		return Default(), nil // only comments: nothing set
	} else if err != nil {
		return Default(), yamlError(path, data, err)
	}
	if err := cfg.validate(path, data); err != nil {
		return Default(), err
	}
	return cfg, nil
}

// TrimBOM drops the UTF-8 byte-order mark some Windows editors put at the start of a file.
// dbt reads YAML files that have one, so datatui does too (the YAML decoder would otherwise
// take the mark for part of the first key).
func TrimBOM(data []byte) []byte { return bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) }

var yamlLine = lazyre.New(`^\[(\d+):(\d+)\]\s*(.*)`)

// yamlError turns a go-yaml error into an *Error with the line and the dotted key written on
// that line (go-yaml itself names only the last part of a key, or none for type errors).
func yamlError(path string, data []byte, err error) error {
	msg := err.Error()
	line := 0
	var yerr yaml.Error
	if errors.As(err, &yerr) {
		msg = yerr.GetMessage()
		if tok := yerr.GetToken(); tok != nil && tok.Position != nil {
			line = tok.Position.Line
		}
	} else {
		first := strings.SplitN(msg, "\n", 2)[0]
		msg = first
		if m := yamlLine.FindStringSubmatch(first); m != nil {
			fmt.Sscan(m[1], &line)
			msg = m[3]
		}
	}
	if line == 0 {
		return &Error{File: path, Msg: msg}
	}
	return &Error{File: path, Line: line, Key: keyAtLine(data, line), Msg: friendlyYAMLMessage(msg)}
}

var (
	unknownField = lazyre.New(`^unknown field "([^"]+)"$`)
	wrongType    = lazyre.New(`cannot unmarshal (\S+) into Go .* of type (\S+)`)
)

// friendlyYAMLMessage rewords go-yaml messages that speak of Go types in terms of the file.
func friendlyYAMLMessage(msg string) string {
	if unknownField.MatchString(msg) {
		return "unknown key (check the spelling against the documented schema)"
	}
	if m := wrongType.FindStringSubmatch(msg); m != nil {
		want := m[2]
		switch {
		case strings.HasPrefix(want, "int"), strings.HasPrefix(want, "uint"):
			want = "a whole number"
		case want == "string":
			want = "text"
		case want == "bool":
			want = "true or false"
		case strings.HasPrefix(want, "[]"):
			want = "a list"
		}
		return fmt.Sprintf("must be %s, not a %s", want, m[1])
	}
	return msg
}

// validate checks values the YAML types cannot express. Line numbers come from a search for
// the key in the source, which is exact for the flat keys this schema has.
func (c *Config) validate(path string, data []byte) error {
	bad := func(key, msg string) error {
		return &Error{File: path, Line: lineOfKey(data, key), Key: key, Msg: msg}
	}
	if c.Version != 1 {
		return bad("version", fmt.Sprintf("unsupported version %d (this datatui reads version 1)", c.Version))
	}
	w := c.Warehouse
	if !strings.Contains(w.SandboxPattern, "{user}") {
		return bad("warehouse.sandbox_pattern", fmt.Sprintf("%q must contain {user}, so that every contributor gets their own sandbox", w.SandboxPattern))
	}
	if w.ProdDatabase == "" {
		return bad("warehouse.prod_database", "must not be empty")
	}
	if strings.EqualFold(w.ProdDatabase, w.CloneDatabase) {
		return bad("warehouse.clone_database", "must differ from prod_database: sandboxes are refreshed from the clone, never from prod itself")
	}
	if w.RefreshPolicyDays < 0 {
		return bad("warehouse.refresh_policy_days", "must be zero (no policy) or a positive number of days")
	}
	if c.DBT.Target == "" {
		return bad("dbt.target", "must name the profiles.yml target of the contributor's sandbox")
	}
	if err := c.DBT.validateLaunch(bad); err != nil {
		return err
	}
	if r := c.GitHub.Repo; r != "" && (strings.Count(r, "/") != 1 || strings.HasPrefix(r, "/") || strings.HasSuffix(r, "/")) {
		return bad("github.repo", fmt.Sprintf("%q must be owner/name", r))
	}
	if c.DBTCloud.CIJobID != 0 && c.DBTCloud.AccountID == 0 {
		return bad("dbt_cloud.account_id", "is required when ci_job_id is set")
	}
	for i, g := range c.Guides {
		if strings.TrimSpace(g) == "" {
			return bad("guides", fmt.Sprintf("entry %d is empty", i+1))
		}
	}
	return c.validateToolchain(path, data)
}

// validateToolchain checks the keys of the team's other tools: PagerDuty, Terraform, help.
func (c *Config) validateToolchain(path string, data []byte) error {
	bad := func(key, msg string) error {
		return &Error{File: path, Line: lineOfKey(data, key), Key: key, Msg: msg}
	}
	item := func(key string, i int, msg string) error {
		return &Error{File: path, Line: lineOfItem(data, key, i), Key: key, Msg: fmt.Sprintf("entry %d: %s", i+1, msg)}
	}
	p := c.PagerDuty
	if p.Schedule != "" && strings.TrimSpace(p.Schedule) != p.Schedule {
		return bad("pagerduty.schedule", fmt.Sprintf("%q has spaces around it", p.Schedule))
	}
	for i, s := range p.Services {
		if strings.TrimSpace(s) == "" {
			return item("pagerduty.services", i, "is empty")
		}
	}
	if d := c.Terraform.Dir; d != "" {
		if filepath.IsAbs(d) || strings.HasPrefix(d, "~") {
			return bad("terraform.dir", fmt.Sprintf("%q must be a folder of the repository, relative to its root", d))
		}
		if clean := filepath.ToSlash(filepath.Clean(d)); clean == ".." || strings.HasPrefix(clean, "../") {
			return bad("terraform.dir", fmt.Sprintf("%q is outside the repository", d))
		}
	}
	for i, ch := range c.Help.Channels {
		if strings.TrimSpace(ch.Name) == "" {
			return item("help.channels", i, "needs a name (\"#data-help\")")
		}
		if ch.URL != "" {
			u, err := url.Parse(ch.URL)
			if err != nil || (u.Scheme != "https" && u.Scheme != "http" && u.Scheme != "slack" && u.Scheme != "msteams") || (u.Host == "" && u.Scheme != "slack") {
				return item("help.channels", i, fmt.Sprintf("url %q must be a web link (https://…) or a slack:// link", ch.URL))
			}
		}
	}
	return nil
}

var (
	imageRef   = lazyre.New(`^[A-Za-z0-9][A-Za-z0-9._/:@-]*$`)
	envName    = lazyre.New(`^[A-Za-z_][A-Za-z0-9_]*$`)
	dockerWord = lazyre.New(`^[A-Za-z0-9_][A-Za-z0-9_.:-]*$`)
)

// validateLaunch checks the keys that say how dbt is started. Values become docker
// arguments, so none may read as a flag of its own.
func (d DBT) validateLaunch(bad func(key, msg string) error) error {
	k := d.Docker
	if len(d.Wrapper) > 0 {
		if strings.TrimSpace(d.Wrapper[0]) == "" {
			return bad("dbt.wrapper", "the first entry must name the command to run")
		}
		if k.Enabled() {
			return bad("dbt.wrapper", "set either dbt.docker.image or dbt.wrapper, not both")
		}
	}
	if !k.Enabled() {
		if len(k.Command) > 0 || len(k.Mounts) > 0 || len(k.Env) > 0 || k.Network != "" || k.User != "" || k.CLI != "" {
			return bad("dbt.docker.image", "must name dbt's image when other dbt.docker keys are set")
		}
		return nil
	}
	if !imageRef.MatchString(k.Image) {
		return bad("dbt.docker.image", fmt.Sprintf("%q is not an image reference (like ghcr.io/acme/dbt:1.8)", k.Image))
	}
	for i, m := range k.Mounts {
		parts := strings.Split(m, ":")
		if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || strings.HasPrefix(parts[0], "-") || !strings.HasPrefix(parts[1], "/") {
			return bad("dbt.docker.mounts", fmt.Sprintf("entry %d %q must be host:container[:ro] with an absolute container path", i+1, m))
		}
		if len(parts) == 3 && !dockerWord.MatchString(parts[2]) {
			return bad("dbt.docker.mounts", fmt.Sprintf("entry %d %q: %q is not a mount option (ro, rw…)", i+1, m, parts[2]))
		}
	}
	for i, e := range k.Env {
		name, _, _ := strings.Cut(e, "=")
		if !envName.MatchString(name) {
			return bad("dbt.docker.env", fmt.Sprintf("entry %d %q must be NAME or NAME=value", i+1, e))
		}
	}
	if k.Network != "" && !dockerWord.MatchString(k.Network) {
		return bad("dbt.docker.network", fmt.Sprintf("%q is not a docker network name", k.Network))
	}
	if k.User != "" && !dockerWord.MatchString(k.User) {
		return bad("dbt.docker.user", fmt.Sprintf("%q is not a user (name, uid or uid:gid)", k.User))
	}
	if k.CLI != "" && (strings.TrimSpace(k.CLI) != k.CLI || strings.HasPrefix(k.CLI, "-")) {
		return bad("dbt.docker.cli", fmt.Sprintf("%q is not a command", k.CLI))
	}
	return nil
}

// lineOfItem finds the 1-based line of the i-th list item ("- …") under a dotted key; the
// key's own line when the list is written in flow style ([a, b]) or has fewer items.
func lineOfItem(data []byte, dotted string, i int) int {
	at := lineOfKey(data, dotted)
	if at == 0 {
		return 0
	}
	lines := strings.Split(string(data), "\n")
	indent := -1
	n := 0
	for k := at; k < len(lines); k++ {
		trimmed := strings.TrimLeft(lines[k], " ")
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		ind := len(lines[k]) - len(trimmed)
		if !strings.HasPrefix(trimmed, "-") {
			if indent < 0 || ind <= indent {
				break
			}
			continue
		}
		if indent < 0 {
			indent = ind
		}
		if ind == indent {
			if n == i {
				return k + 1
			}
			n++
		}
	}
	return at
}

// lineOfKey finds the 1-based line of a dotted key ("warehouse.sandbox_pattern"); 0 when the
// key is not written in the file (a default failed validation).
func lineOfKey(data []byte, dotted string) int {
	for i, k := range keyLines(data) {
		if k == dotted {
			return i + 1
		}
	}
	return 0
}

// keyAtLine names the dotted key written on a 1-based line, or for a line without a key (a
// list item, a continuation) the nearest key above it.
func keyAtLine(data []byte, line int) string {
	keys := keyLines(data)
	for i := min(line, len(keys)) - 1; i >= 0; i-- {
		if keys[i] != "" {
			return keys[i]
		}
	}
	return ""
}

// keyLines returns, per line, the dotted key that line writes ("" for lines without a key),
// tracking the block each line sits in by its indentation. That is exact for the block-style
// YAML datatui.yml is written in; flow mappings ({a: 1}) are attributed to their parent key.
func keyLines(data []byte) []string {
	type level struct {
		indent int
		key    string
	}
	var stack []level
	lines := strings.Split(string(data), "\n")
	out := make([]string, len(lines))
	for i, line := range lines {
		trimmed := strings.TrimLeft(line, " ")
		colon := strings.IndexByte(trimmed, ':')
		if trimmed == "" || strings.HasPrefix(trimmed, "#") || strings.HasPrefix(trimmed, "-") || colon <= 0 {
			continue
		}
		ind := len(line) - len(trimmed)
		for len(stack) > 0 && stack[len(stack)-1].indent >= ind {
			stack = stack[:len(stack)-1]
		}
		stack = append(stack, level{ind, strings.Trim(trimmed[:colon], `"' `)})
		keys := make([]string, len(stack))
		for j, l := range stack {
			keys[j] = l.key
		}
		out[i] = strings.Join(keys, ".")
	}
	return out
}

// SandboxName returns the sandbox database of user under the pattern.
func (w Warehouse) SandboxName(user string) string {
	return strings.ReplaceAll(w.SandboxPattern, "{user}", NormaliseUser(user))
}

// NormaliseUser turns a login ("jöhn.doe@corp.com", "o'brien") into the part of a database
// name datatui uses: the local part of an e-mail, upper-cased, every run of characters other
// than ASCII letters and digits replaced by one underscore. The result is still quoted when
// used in SQL; normalising keeps sandbox names predictable for people and policies.
func NormaliseUser(user string) string {
	if at := strings.IndexByte(user, '@'); at > 0 {
		user = user[:at]
	}
	var b strings.Builder
	under := false
	for _, r := range strings.ToUpper(user) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			under = false
			continue
		}
		if !under && b.Len() > 0 {
			b.WriteByte('_')
			under = true
		}
	}
	return strings.TrimRight(b.String(), "_")
}

// IsAdminRole reports whether role is one of the team's admin roles (case-insensitive).
func (w Warehouse) IsAdminRole(role string) bool {
	for _, r := range w.AdminRoles {
		if strings.EqualFold(r, role) {
			return true
		}
	}
	return false
}
