// Package impact tells what a change in the working tree does to the project's graph: the
// nodes git says changed, the ones dbt's state:modified would pick against a production
// manifest, and everything downstream of them.
package impact

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/dbt/lineage"
	"github.com/datatui/datatui/internal/dbt/selector"
	"github.com/datatui/datatui/internal/git"
)

// ImpactOptions say what to compare the working tree with.
type ImpactOptions struct {
	// ProjectDir holds dbt_project.yml; changed files are mapped to nodes relative to it.
	ProjectDir string
	// BaseBranch is the branch the current one will merge into ("main"). Empty: the remote's
	// default branch (origin/HEAD), else main, else master. origin/<base> is preferred over the
	// local branch because it is what a pull request is compared with.
	BaseBranch string
	// StateDir holds a production manifest.json to compare with (like dbt's --state); empty
	// skips the state comparison.
	StateDir string
	// SkipGit skips the git comparison (state only).
	SkipGit bool
	// Git runs git (default: the git on PATH).
	Git git.Runner
}

// ImpactNode is a node in an impact report.
type ImpactNode struct {
	UniqueID     string `json:"unique_id"`
	Name         string `json:"name"`
	ResourceType string `json:"resource_type"`
	Path         string `json:"original_file_path,omitempty"`
	// ExposureType, URL and Owner describe an exposure (a Looker dashboard, a notebook): what
	// it is, where it opens and who to tell before it changes.
	ExposureType string `json:"exposure_type,omitempty"`
	URL          string `json:"url,omitempty"`
	Owner        string `json:"owner,omitempty"`
	// Reasons say why a changed node is in the report: "git: models/x.sql",
	// "git: models/schema.yml (properties)", "state:new", "state:modified.body",
	// "state:modified.configs". For downstream nodes: the changed nodes they depend on.
	Reasons []string `json:"reasons,omitempty"`
}

// Impact is what the current branch changes: the nodes it touches and everything downstream of
// them, which is what CI builds with `state:modified+`.
type Impact struct {
	// Base is the ref compared with ("origin/main"), MergeBase its merge base with HEAD.
	Base      string `json:"base,omitempty"`
	MergeBase string `json:"merge_base,omitempty"`
	// ChangedFiles are the changed files inside the project, relative to it (committed on the
	// branch, staged, unstaged and untracked).
	ChangedFiles []string `json:"changed_files"`
	// Unmapped are changed files that no node comes from (macros, dbt_project.yml, deleted
	// files). A changed macro or project file can change any model: they are listed so the
	// user knows the report may be incomplete.
	Unmapped []string `json:"unmapped_files"`
	// StateCompared is set when a production manifest was compared (StateDir).
	StateCompared bool `json:"state_compared"`
	// Changed are the nodes changed directly.
	Changed []ImpactNode `json:"changed"`
	// Downstream are the nodes (other than exposures) that depend on a changed node.
	Downstream []ImpactNode `json:"downstream"`
	// Exposures are the dashboards and apps the changes reach.
	Exposures []ImpactNode `json:"exposures"`
	// Selector selects the same nodes for dbt ("stg_orders+ fct_revenue+").
	Selector string `json:"selector"`
	// Skipped are the comparisons the report could not make, and why: dbt's state checks a
	// quick parse cannot reproduce, configs only dbt can render. Nothing is reported as
	// changed from a comparison that was skipped.
	Skipped []string `json:"skipped_checks,omitempty"`
	// Warnings are problems that did not stop the report (no base branch found…).
	Warnings []string `json:"warnings,omitempty"`
}

// ComputeImpact finds the nodes changed on the current branch (git diff against the merge base
// with the base branch, plus uncommitted and untracked files) and, when opts.StateDir holds a
// manifest, the nodes new or modified compared with it; then everything downstream of them.
func ComputeImpact(ctx context.Context, g *dbt.Graph, opts ImpactOptions) (*Impact, error) {
	im := &Impact{ChangedFiles: []string{}, Unmapped: []string{}, Changed: []ImpactNode{}, Downstream: []ImpactNode{}, Exposures: []ImpactNode{}}
	reasons := map[int][]string{}
	if !opts.SkipGit {
		if err := im.gitChanges(ctx, g, opts, reasons); err != nil {
			return nil, err
		}
	}
	if opts.StateDir != "" {
		if err := im.stateChanges(g, opts.StateDir, reasons); err != nil {
			return nil, err
		}
	}
	changed := make([]int, 0, len(reasons))
	for i := range reasons {
		changed = append(changed, i)
	}
	sort.Ints(changed)
	for _, i := range changed {
		im.Changed = append(im.Changed, impactNode(g, i, reasons[i]))
	}
	im.addDownstream(g, downstreamOf(g, changed, reasons))
	for _, n := range im.Changed {
		if n.ResourceType == "exposure" {
			im.Exposures = append(im.Exposures, n)
		}
	}
	im.Selector = impactSelector(g, changed, im.StateCompared && opts.SkipGit)
	return im, nil
}

// maxVia caps how many of the changed nodes a downstream node names as its cause.
const maxVia = 4

// downstreamOf maps everything downstream of the changed nodes to (up to maxVia of) the
// changed nodes it depends on. One traversal from all changed nodes at once: a node is
// revisited only when its set of changed ancestors grows, and the sets are capped, so this
// stays linear on big graphs.
func downstreamOf(g *dbt.Graph, changed []int, reasons map[int][]string) map[int][]int {
	via := map[int][]int{}
	queue := append([]int(nil), changed...)
	for len(queue) > 0 {
		x := queue[0]
		queue = queue[1:]
		from := via[x]
		if _, isChanged := reasons[x]; isChanged {
			from = []int{x}
		}
		for _, ch := range g.Children(x) {
			ci := int(ch)
			if _, isChanged := reasons[ci]; isChanged {
				continue
			}
			cur, seen := via[ci]
			grew := !seen
			for _, f := range from {
				if len(cur) < maxVia && !slices.Contains(cur, f) {
					cur = append(cur, f)
					grew = true
				}
			}
			via[ci] = cur
			if grew {
				queue = append(queue, ci)
			}
		}
	}
	return via
}

// addDownstream lists the downstream nodes in unique id order, each with what it is
// downstream of; exposures apart.
func (im *Impact) addDownstream(g *dbt.Graph, via map[int][]int) {
	down := make([]int, 0, len(via))
	for i := range via {
		down = append(down, i)
	}
	sort.Slice(down, func(a, b int) bool { return g.Nodes[down[a]].UniqueID < g.Nodes[down[b]].UniqueID })
	for _, i := range down {
		var from []string
		for _, c := range via[i] {
			from = append(from, lineage.DisplayName(&g.Nodes[c]))
		}
		sort.Strings(from)
		if len(from) == maxVia {
			from[maxVia-1] = "…"
		}
		n := impactNode(g, i, []string{"downstream of " + strings.Join(from, ", ")})
		if n.ResourceType == "exposure" {
			im.Exposures = append(im.Exposures, n)
		} else {
			im.Downstream = append(im.Downstream, n)
		}
	}
}

func impactNode(g *dbt.Graph, i int, reasons []string) ImpactNode {
	n := &g.Nodes[i]
	out := ImpactNode{UniqueID: n.UniqueID, Name: lineage.DisplayName(n), ResourceType: n.ResourceType, Path: n.OriginalPath, Reasons: reasons}
	if n.ResourceType == "exposure" {
		out.ExposureType, out.URL, out.Owner = n.ExposureType, n.URL, n.Owner
	}
	return out
}

// impactSelector is the dbt selector for the changed nodes and their descendants. Tests are
// left out: dbt selects them through their models.
func impactSelector(g *dbt.Graph, changed []int, stateOnly bool) string {
	if stateOnly {
		return "state:modified+"
	}
	var parts []string
	seen := map[string]bool{}
	for _, i := range changed {
		n := &g.Nodes[i]
		var s string
		switch n.ResourceType {
		case "test", "unit_test":
			continue
		case "source":
			s = "source:" + n.SourceName + "." + n.Name + "+"
		case "exposure":
			s = "exposure:" + n.Name
		default:
			s = n.Name + "+"
			if n.Version != "" {
				s = n.Name + ".v" + n.Version + "+"
			}
		}
		if !seen[s] {
			seen[s] = true
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " ")
}

// gitOutput runs git in the project folder and returns its output.
type gitOutput func(args ...string) (string, error)

// gitChanges maps the files changed on the branch to nodes.
func (im *Impact) gitChanges(ctx context.Context, g *dbt.Graph, opts ImpactOptions, reasons map[int][]string) error {
	dir := opts.ProjectDir
	runner := git.Or(opts.Git)
	// LC_ALL=C: git's messages are quoted to the person and matched here in English.
	run := gitOutput(func(args ...string) (string, error) {
		out, err := runner.Run(ctx, git.Cmd{Dir: dir, Args: args, Env: []string{"LC_ALL=C"}})
		return string(out), err
	})
	top, err := run("rev-parse", "--show-toplevel")
	if errors.Is(err, git.ErrNotInstalled) {
		return fmt.Errorf("%w; install git to see what your branch changes", err)
	}
	if err != nil {
		return fmt.Errorf("%s is not in a git repository, so there is no branch to compare: %w", dir, err)
	}
	top = realPath(strings.TrimSpace(top))
	projAbs, _ := filepath.Abs(dir)
	projAbs = realPath(projAbs)
	files, err := im.branchFiles(run, opts.BaseBranch)
	if err != nil {
		return err
	}
	byPath, byPatch := nodesByFile(g)
	// The version of a file to compare with: the merge base, else HEAD.
	baseRev := im.MergeBase
	if baseRev == "" {
		if _, err := run("rev-parse", "--verify", "--quiet", "HEAD"); err == nil {
			baseRev = "HEAD"
		}
	}
	for _, rel := range projectFiles(files, top, projAbs) {
		if strings.HasPrefix(rel, "target/") || strings.HasPrefix(rel, "dbt_packages/") || strings.HasPrefix(rel, "logs/") {
			continue
		}
		im.ChangedFiles = append(im.ChangedFiles, rel)
		// A properties file is compared definition by definition: an edited description
		// changes its model only.
		var same func(n *dbt.Node) bool
		if isYAMLFile(rel) && (len(byPatch[rel]) > 0 || len(byPath[rel]) > 0) {
			same = im.unchangedDefinitions(run, baseRev, projAbs, rel)
		}
		changed := func(nodes []int, reason string) {
			for _, i := range nodes {
				if same == nil || !same(&g.Nodes[i]) {
					reasons[i] = appendUnique(reasons[i], reason)
				}
			}
		}
		changed(byPath[rel], "git: "+rel)
		changed(byPatch[rel], "git: "+rel+" (properties)")
		if len(byPath[rel])+len(byPatch[rel]) == 0 {
			note := rel
			if !fileExists(filepath.Join(projAbs, filepath.FromSlash(rel))) {
				note += " (deleted)"
			}
			im.Unmapped = append(im.Unmapped, note)
		}
	}
	return nil
}

// realPath is p with symbolic links resolved, or p when they cannot be.
func realPath(p string) string {
	if real, err := filepath.EvalSymlinks(p); err == nil {
		return real
	}
	return p
}

// branchFiles are the files (relative to the repository root) the branch changes: committed
// since it left the base branch, changed in the work tree, and new files git does not ignore.
// What cannot be compared (no commits yet, no base branch, no common commit) is a warning.
func (im *Impact) branchFiles(run gitOutput, baseBranch string) (map[string]bool, error) {
	files := map[string]bool{}
	add := func(args ...string) error {
		out, err := run(args...)
		if err != nil {
			return err
		}
		for _, f := range strings.Split(out, "\x00") {
			if f != "" {
				files[f] = true
			}
		}
		return nil
	}
	if _, err := run("rev-parse", "--verify", "--quiet", "HEAD"); err != nil {
		im.Warnings = append(im.Warnings, "the repository has no commits yet; only uncommitted files are compared")
	} else {
		if err := im.committedFiles(run, baseBranch, add); err != nil {
			return nil, err
		}
		if err := add("diff", "--name-only", "--no-renames", "-z", "HEAD"); err != nil {
			return nil, err
		}
	}
	if err := add("ls-files", "--others", "--exclude-standard", "-z", "--full-name"); err != nil {
		return nil, err
	}
	return files, nil
}

// committedFiles adds the files committed on the branch since its merge base with the base
// branch, and sets Base and MergeBase.
func (im *Impact) committedFiles(run gitOutput, baseBranch string, add func(args ...string) error) error {
	base, err := resolveBase(run, baseBranch)
	if err != nil {
		im.Warnings = append(im.Warnings, err.Error())
		return nil
	}
	im.Base = base
	mb, err := run("merge-base", base, "HEAD")
	if err != nil {
		im.Warnings = append(im.Warnings, fmt.Sprintf("%s and HEAD have no common commit; only uncommitted files are compared", base))
		return nil
	}
	im.MergeBase = strings.TrimSpace(mb)
	return add("diff", "--name-only", "--no-renames", "-z", im.MergeBase+"...HEAD")
}

// nodesByFile indexes the enabled nodes by the file that defines them and by the properties
// file that patches them (patch_path without its "project://" prefix).
func nodesByFile(g *dbt.Graph) (byPath, byPatch map[string][]int) {
	byPath, byPatch = map[string][]int{}, map[string][]int{}
	for i := range g.Nodes {
		n := &g.Nodes[i]
		if n.Disabled {
			continue
		}
		if n.OriginalPath != "" {
			byPath[n.OriginalPath] = append(byPath[n.OriginalPath], i)
		}
		if k := strings.Index(n.PatchPath, "://"); k >= 0 {
			byPatch[n.PatchPath[k+3:]] = append(byPatch[n.PatchPath[k+3:]], i)
		}
	}
	return byPath, byPatch
}

// projectFiles are the changed files inside the dbt project, relative to it, in order; files
// elsewhere in the repository (docs, CI config) are left out.
func projectFiles(files map[string]bool, top, projAbs string) []string {
	var out []string
	for f := range files {
		rel, err := filepath.Rel(projAbs, filepath.Join(top, filepath.FromSlash(f)))
		if err != nil || strings.HasPrefix(rel, "..") {
			continue
		}
		out = append(out, filepath.ToSlash(rel))
	}
	sort.Strings(out)
	return out
}

func isYAMLFile(rel string) bool {
	return strings.HasSuffix(rel, ".yml") || strings.HasSuffix(rel, ".yaml")
}

// unchangedDefinitions compares a properties file with its version at rev and returns a test
// for the nodes whose own definition did not change; nil when the versions cannot be compared
// (every node of the file then counts as changed).
func (im *Impact) unchangedDefinitions(git gitOutput, rev, projAbs, rel string) func(n *dbt.Node) bool {
	cur, err := os.ReadFile(filepath.Join(projAbs, filepath.FromSlash(rel)))
	if err != nil {
		return nil
	}
	var old []byte
	if rev != "" {
		if out, err := git("show", rev+":./"+rel); err == nil {
			old = []byte(out)
		}
	}
	newFP, err := propertyFingerprints(cur)
	if err != nil {
		im.Warnings = append(im.Warnings, fmt.Sprintf("%s: %v; every node it describes counts as changed", rel, err))
		return nil
	}
	oldFP, err := propertyFingerprints(old)
	if err != nil {
		oldFP = map[string]string{}
	}
	return func(n *dbt.Node) bool {
		k := propertyKey(n)
		fp, ok := newFP[k]
		return ok && oldFP[k] == fp
	}
}

// resolveBase picks the ref to compare with.
func resolveBase(git gitOutput, base string) (string, error) {
	exists := func(ref string) bool {
		_, err := git("rev-parse", "--verify", "--quiet", ref+"^{commit}")
		return err == nil
	}
	var cands []string
	if base != "" {
		cands = []string{"origin/" + base, base}
	} else {
		if out, err := git("symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"); err == nil {
			cands = append(cands, strings.TrimSpace(out))
		}
		cands = append(cands, "origin/main", "main", "origin/master", "master")
	}
	for _, c := range cands {
		if c != "" && exists(c) {
			return c, nil
		}
	}
	if base != "" {
		return "", fmt.Errorf("base branch %q not found (fetch it with git fetch origin %s); only uncommitted files are compared", base, base)
	}
	return "", errors.New("no base branch found (no origin/HEAD, main or master); pass --base BRANCH; only uncommitted files are compared")
}

// stateChanges compares the graph with a production manifest: nodes that are new, or whose
// file contents (checksum) or key configs differ. Nodes are matched by type, package, name and
// version rather than unique id, because a quick-parsed graph names generic tests without
// dbt's hash suffix.
func (im *Impact) stateChanges(g *dbt.Graph, stateDir string, reasons map[int][]string) error {
	path := filepath.Join(stateDir, "manifest.json")
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("--state %s: no manifest.json there; download the production manifest (dbt Cloud artifacts or your CI's) into that folder", stateDir)
	}
	prod, err := dbt.LoadManifest(path, dbt.LoadOptions{})
	if err != nil {
		return fmt.Errorf("--state %s: %w", stateDir, err)
	}
	im.StateCompared = true
	if g.Origin.Kind == dbt.OriginManifest {
		if g.Macros == nil || prod.Macros == nil {
			im.Skipped = append(im.Skipped, "state:modified.macros: a manifest lists no macros, so changed macros are not compared")
		}
		return im.stateBySelector(g, prod, reasons)
	}
	// A quick parse has the files and the configs it can render, not dbt's unrendered
	// configs, docs or contracts: only like is compared with like.
	im.Skipped = append(im.Skipped, "state:modified.macros, .persisted_descriptions, .relation and .contract are not compared against a quick parse of the files (run dbt parse for dbt's own state comparison)")
	var unrendered []string
	key := func(n *dbt.Node) string {
		return n.ResourceType + "\x00" + n.Package + "\x00" + n.SourceName + "\x00" + n.Name + "\x00" + n.Version
	}
	old := make(map[string]int, prod.Len())
	for i := range prod.Nodes {
		if !prod.Nodes[i].Disabled {
			old[key(&prod.Nodes[i])] = i
		}
	}
	for i := range g.Nodes {
		n := &g.Nodes[i]
		if n.Disabled || n.Package != g.Origin.ProjectName && g.Origin.ProjectName != "" {
			continue // packages change with packages.yml, which dbt does not flag node by node
		}
		j, ok := old[key(n)]
		if !ok {
			reasons[i] = appendUnique(reasons[i], "state:new")
			continue
		}
		p := &prod.Nodes[j]
		if n.Checksum != "" && p.Checksum != "" && n.Checksum != p.Checksum {
			reasons[i] = appendUnique(reasons[i], "state:modified.body")
		}
		differ, skipped := configsDiffer(n, p)
		if differ {
			reasons[i] = appendUnique(reasons[i], "state:modified.configs")
		}
		if len(skipped) > 0 {
			unrendered = append(unrendered, lineage.DisplayName(n)+" ("+strings.Join(skipped, ", ")+")")
		}
	}
	if len(unrendered) > 0 {
		list := unrendered
		if len(list) > 5 {
			list = append(list[:5:5], fmt.Sprintf("and %d more", len(unrendered)-5))
		}
		im.Skipped = append(im.Skipped, fmt.Sprintf("state:modified.configs not compared for %s whose configs only dbt can render: %s", dbt.Plural(len(unrendered), "node", "nodes"), strings.Join(list, ", ")))
	}
	return nil
}

// stateBySelector uses dbt's own state:modified semantics (the selector engine) when both
// graphs come from manifests, which carry the unrendered configs and checksums dbt compares.
func (im *Impact) stateBySelector(g, prod *dbt.Graph, reasons map[int][]string) error {
	sel, err := selector.ParseSelection([]string{"state:modified"}, nil)
	if err != nil {
		return err
	}
	res, err := selector.SelectNodes(g, sel, selector.SelectOptions{ResourceTypes: []string{"all"}, Indirect: selector.IndirectEmpty, State: prod})
	if err != nil {
		return err
	}
	for _, i := range res.Indexes {
		n := &g.Nodes[i]
		if n.Package != g.Origin.ProjectName && g.Origin.ProjectName != "" {
			continue
		}
		reason := "state:modified"
		if prod.Node(n.UniqueID) == nil {
			reason = "state:new"
		}
		reasons[i] = appendUnique(reasons[i], reason)
	}
	return nil
}

// configsDiffer compares the configs that change what a node builds, as rendered values on
// both sides: the quick parse's (a) with those dbt rendered into the manifest (b). It is
// deliberately narrower than dbt's unrendered_config comparison, which a quick parse cannot
// reproduce. Configs the quick parse could not render are skipped and returned.
func configsDiffer(a, b *dbt.Node) (differ bool, skipped []string) {
	if a.ResourceType != "model" && a.ResourceType != "seed" && a.ResourceType != "snapshot" {
		return false, nil
	}
	for _, c := range [...]struct {
		key    string
		qa, pb string
	}{
		{"materialized", a.Config.Materialized, b.Config.Materialized},
		{"schema", a.Config.Schema, b.Config.Schema},
		{"database", a.Config.Database, b.Config.Database},
		{"alias", a.Config.Alias, b.Config.Alias},
	} {
		if slices.Contains(a.Unrendered, c.key) {
			skipped = append(skipped, c.key)
			continue
		}
		if c.qa != c.pb {
			differ = true
		}
	}
	return differ, skipped
}

func appendUnique(l []string, s string) []string {
	if slices.Contains(l, s) {
		return l
	}
	return append(l, s)
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}
