package onboard

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/datatui/datatui/internal/atomicfile"
	"github.com/datatui/datatui/internal/dbt/dbtyaml"
	"github.com/datatui/datatui/internal/lazyre"
	"github.com/datatui/datatui/internal/redact"
	"github.com/datatui/datatui/internal/safeyaml"
	"github.com/datatui/datatui/internal/warehouse/engine"
)

// SecretPasswordEnv is the environment variable a password-auth target reads its password
// from (engine.SecretPasswordEnv).
const SecretPasswordEnv = engine.SecretPasswordEnv

// PasswordRef is what a password-auth target holds instead of the password.
const PasswordRef = engine.PasswordRef

// KV is one key of a target, in the order it is written.
type KV struct {
	Key   string
	Value any
}

// TargetSpec is the dbt target to merge into profiles.yml.
type TargetSpec struct {
	// Profile is the profile name from dbt_project.yml.
	Profile string
	// Target is the output name ("dev").
	Target string
	// Fields are the target's keys, "type" first.
	Fields []KV
}

// MergeResult says what MergeTarget did.
type MergeResult struct {
	// Path is the file that was (or would be) written: the target of a symlinked profiles.yml.
	Path string
	// Backup is the copy of the previous file ("" when there was none or nothing changed).
	Backup string
	// Changed is false when the file already held exactly this target.
	Changed bool
}

var envVarOnly = lazyre.New(`^\{\{\s*env_var\(\s*['"][A-Za-z_][A-Za-z0-9_]*['"]\s*\)\s*\}\}$`)

// checkNoSecrets refuses a spec that would put a secret in the file: secret keys may only
// hold an env_var() reference.
func (s TargetSpec) checkNoSecrets() error {
	for _, kv := range s.Fields {
		if !redact.IsSecretKey(kv.Key) {
			continue
		}
		v, _ := kv.Value.(string)
		if !envVarOnly.MatchString(strings.TrimSpace(v)) {
			return fmt.Errorf("refusing to write %s in clear text: profiles.yml must read it from an environment variable ({{ env_var('%s') }})", kv.Key, SecretPasswordEnv)
		}
	}
	return nil
}

func (s TargetSpec) validate() error {
	if strings.TrimSpace(s.Profile) == "" || strings.TrimSpace(s.Target) == "" {
		return errors.New("the profile and target names must not be empty")
	}
	if len(s.Fields) == 0 || s.Fields[0].Key != "type" {
		return errors.New("a target starts with its type (snowflake, duckdb…)")
	}
	return s.checkNoSecrets()
}

func (s TargetSpec) mapSlice() yaml.MapSlice {
	ms := make(yaml.MapSlice, 0, len(s.Fields))
	for _, kv := range s.Fields {
		ms = append(ms, yaml.MapItem{Key: kv.Key, Value: kv.Value})
	}
	return ms
}

// MergeProfileYAML merges the target into the profiles.yml text src and returns the new
// text. It edits the text itself, never re-serialising it: every byte outside the keys it
// sets stays as it was (comments, blank lines, quoting, the file's line endings, a UTF-8
// byte-order mark). Within an existing target of the same name, keys that already hold the
// wanted value are kept as written, changed keys are rewritten in place, keys the target no
// longer has are removed and new ones added after the last. The profile's default target is
// set when the profile has none. changed is false when src already holds exactly this target.
func MergeProfileYAML(src []byte, spec TargetSpec) (out []byte, changed bool, err error) {
	if err := spec.validate(); err != nil {
		return nil, false, err
	}
	bom, body := splitBOM(src)
	var before map[string]any
	if err := safeyaml.Unmarshal(body, &before); err != nil {
		return nil, false, fmt.Errorf("the existing file is not valid YAML (%s); fix or move it, nothing was written", firstLine(err.Error()))
	}
	prof, hasProfile := before[spec.Profile]
	profMap, isMap := prof.(map[string]any)
	if hasProfile && prof != nil && !isMap {
		return nil, false, fmt.Errorf("profile %q is not a mapping; fix it by hand, nothing was written", spec.Profile)
	}
	if hasProfile && isMap {
		outputs, _ := profMap["outputs"].(map[string]any)
		if existing, ok := outputs[spec.Target]; ok && reflect.DeepEqual(normalise(existing), normalise(specValue(spec))) && profMap["target"] != nil {
			return src, false, nil
		}
	}
	doc, err := parseYAMLText(body)
	if err != nil {
		return nil, false, err
	}
	if err := doc.planMerge(before, spec); err != nil {
		return nil, false, fmt.Errorf("%v; fix it by hand, nothing was written", err)
	}
	out = append(bom, doc.apply()...)
	if err := verifyMerge(before, out[len(bom):], spec); err != nil {
		return nil, false, err
	}
	return out, true, nil
}

// splitBOM splits a UTF-8 byte-order mark from the text (dbt reads a profiles.yml that has
// one), so an edit can keep it.
func splitBOM(b []byte) (bom, rest []byte) {
	rest = dbtyaml.TrimBOM(b)
	n := len(b) - len(rest)
	return b[:n:n], rest
}

func specValue(spec TargetSpec) map[string]any {
	m := map[string]any{}
	for _, kv := range spec.Fields {
		m[kv.Key] = kv.Value
	}
	return m
}

// normalise makes decoded YAML comparable: numbers as strings, nested maps normalised.
func normalise(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := map[string]any{}
		for k, x := range t {
			m[k] = normalise(x)
		}
		return m
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = normalise(x)
		}
		return out
	case nil:
		return nil
	default:
		return fmt.Sprint(t)
	}
}

// verifyMerge decodes the result and checks that it holds the target and that everything
// else is exactly as before, so a merge quirk can never silently damage someone's profiles.
func verifyMerge(before map[string]any, out []byte, spec TargetSpec) error {
	var after map[string]any
	if err := safeyaml.Unmarshal(out, &after); err != nil {
		return fmt.Errorf("the merged file would not be valid YAML (%v); nothing was written", err)
	}
	for k, v := range before {
		if k == spec.Profile {
			continue
		}
		if !reflect.DeepEqual(normalise(v), normalise(after[k])) {
			return fmt.Errorf("merging would change profile %q; nothing was written", k)
		}
	}
	prof, _ := after[spec.Profile].(map[string]any)
	outputs, _ := prof["outputs"].(map[string]any)
	if !reflect.DeepEqual(normalise(outputs[spec.Target]), normalise(specValue(spec))) {
		return errors.New("the merged file does not hold the new target as expected; nothing was written")
	}
	if old, ok := before[spec.Profile].(map[string]any); ok {
		oldOutputs, _ := old["outputs"].(map[string]any)
		for name, v := range oldOutputs {
			if name != spec.Target && !reflect.DeepEqual(normalise(v), normalise(outputs[name])) {
				return fmt.Errorf("merging would change target %q; nothing was written", name)
			}
		}
		for k, v := range old {
			if k != "outputs" && k != "target" && !reflect.DeepEqual(normalise(v), normalise(prof[k])) {
				return fmt.Errorf("merging would change %s.%s; nothing was written", spec.Profile, k)
			}
		}
	}
	return nil
}

// MergeTarget merges spec into the profiles.yml at path: a timestamped backup of the old file
// beside it, an atomic write that keeps the file's mode (0600 for a new file: it holds account
// names and key paths). A symlinked profiles.yml is written through to the file it points to;
// the result's Path names that file. A file that cannot be read or parsed is left untouched
// and reported. Running it again with the same spec changes nothing.
func MergeTarget(path string, spec TargetSpec, now time.Time) (MergeResult, error) {
	plan, err := planMergeTarget(path, spec)
	res := MergeResult{Path: plan.path}
	if err != nil || !plan.changed {
		return res, err
	}
	if err := os.MkdirAll(filepath.Dir(res.Path), 0o700); err != nil {
		return res, err
	}
	w, err := atomicfile.Write(res.Path, plan.after, atomicfile.Options{Perm: 0o600, Backup: plan.exists, Now: now})
	res.Path, res.Backup = w.Path, w.Backup
	if err != nil {
		return res, fmt.Errorf("writing %s: %v (the old file is unchanged)", res.Path, err)
	}
	res.Changed = true
	return res, nil
}

// mergePlan is what MergeTarget writes: the file (a symlink's target), its text before and
// after, and whether it exists and would change. The preview before the write shows it.
type mergePlan struct {
	path            string
	before, after   []byte
	exists, changed bool
}

func planMergeTarget(path string, spec TargetSpec) (mergePlan, error) {
	plan := mergePlan{path: path}
	if real, err := atomicfile.Resolve(path); err == nil {
		plan.path = real
	}
	src, err := os.ReadFile(plan.path)
	plan.exists = err == nil
	switch {
	case errors.Is(err, fs.ErrNotExist):
		src = []byte("# dbt profiles: how dbt connects to your warehouses.\n# Secrets are read from environment variables, never written here.\n")
	case err != nil:
		return plan, fmt.Errorf("cannot read %s (%v); nothing was written", path, err)
	}
	if plan.exists {
		plan.before = src
	}
	out, changed, err := MergeProfileYAML(src, spec)
	if err != nil {
		return plan, fmt.Errorf("%s: %w", path, err)
	}
	plan.after, plan.changed = out, changed
	return plan, nil
}
