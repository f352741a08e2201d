package main

import (
	"maps"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/datatui/datatui/internal/dbt"
)

// maxCompletions bounds what one tab press offers: a shell cannot show 100k names usefully,
// and the user types one more letter instead.
const maxCompletions = 500

// completeNodes completes a node name or a selector word from the project's graph: model,
// seed and snapshot names, source:SRC.TABLE, exposure:NAME, the method prefixes dbt knows
// (tag:, path:, …) and their values (methodValues), keeping a graph operator typed in front
// ("+", "2+", "@"). The graph comes from the same loader `ls` uses; its warm index cache
// makes this one small read.
func (a *app) completeNodes(toComplete string) ([]string, cobra.ShellCompDirective) {
	_, g, err := a.loadGraph(false)
	if err != nil || g == nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	op, word := splitOperator(toComplete)
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if len(out) < maxCompletions && strings.HasPrefix(s, word) && !seen[s] {
			seen[s] = true
			out = append(out, op+s)
		}
	}
	for i := range g.Nodes {
		n := &g.Nodes[i]
		switch n.ResourceType {
		case "model", "seed", "snapshot", "analysis", "semantic_model", "metric", "saved_query":
			add(n.Name)
		case "source":
			add("source:" + n.SourceName + "." + n.Name)
		case "exposure":
			add("exposure:" + n.Name)
		}
	}
	if method, _, ok := strings.Cut(word, ":"); ok {
		for _, v := range methodValues(g, method) {
			add(method + ":" + v)
		}
	} else {
		for _, m := range []string{"tag:", "path:", "source:", "exposure:", "resource_type:", "package:", "config.", "test_type:", "test_name:", "state:", "result:", "fqn:", "group:", "access:", "version:", "file:"} {
			add(m)
		}
	}
	slices.Sort(out)
	directive := cobra.ShellCompDirectiveNoFileComp
	if slices.ContainsFunc(out, func(s string) bool { return strings.HasSuffix(s, ":") || strings.HasSuffix(s, ".") }) {
		directive |= cobra.ShellCompDirectiveNoSpace // "tag:" is the start of a word, not a word
	}
	return out, directive
}

// methodValues are the values a selector method takes that completion can offer: the
// project's own tags, packages, groups and materializations, and the fixed words of dbt's
// methods (resource_type:, access:, test_type:, state:, result:, version:). Methods whose
// values are paths or names (path:, file:, fqn:, test_name:) offer nothing here.
func methodValues(g *dbt.Graph, method string) []string {
	switch method {
	case "resource_type":
		// dbt's node types: "default" and "all" are words of --resource-type only.
		return slices.DeleteFunc(resourceTypes(""), func(t string) bool { return t == "default" || t == "all" })
	case "access":
		return []string{"private", "protected", "public"}
	case "test_type":
		return []string{"data", "generic", "singular", "unit"}
	case "state":
		return []string{"modified", "modified.body", "modified.configs", "modified.contract", "modified.macros", "modified.persisted_descriptions", "modified.relation", "new", "old", "unmodified"}
	case "result":
		return []string{"error", "fail", "pass", "skipped", "success", "warn"}
	case "version":
		return []string{"latest", "none", "old", "prerelease"}
	}
	seen := map[string]bool{}
	for i := range g.Nodes {
		n := &g.Nodes[i]
		switch method {
		case "tag":
			for _, t := range n.Tags { // what tag: matches (selector.tagPredicate)
				seen[t] = true
			}
		case "package":
			seen[n.Package] = true
		case "group":
			seen[n.Config.Group] = true
		case "config.materialized":
			seen[n.Config.Materialized] = true
		}
	}
	delete(seen, "")
	return slices.Sorted(maps.Keys(seen))
}

// splitOperator separates a selector word's leading graph operator ("+", "2+", "@") from the
// name being typed, so completion keeps what the user typed.
func splitOperator(s string) (op, word string) {
	if rest, ok := strings.CutPrefix(s, "@"); ok {
		return "@", rest
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i < len(s) && s[i] == '+' {
		return s[:i+1], s[i+1:]
	}
	return "", s
}

// completeSelectArgs completes `ls`'s arguments, which cobra hands over unparsed (ls parses
// dbt's multi-value options itself): a value after -s/--select/--exclude and their aliases
// is a selector word; anything else completes nothing.
func (a *app) completeSelectArgs(args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	a.globalFlagsFrom(args)
	// A value of a multi-value option continues until the next option.
	for i := len(args) - 1; i >= 0; i-- {
		if strings.HasPrefix(args[i], "-") {
			switch args[i] {
			case "-s", "--select", "-m", "--models", "--model", "--exclude", "--resource-type", "--resource-types":
				if strings.HasPrefix(args[i], "--resource") {
					return resourceTypes(toComplete), cobra.ShellCompDirectiveNoFileComp
				}
				return a.completeNodes(toComplete)
			}
			break
		}
	}
	return nil, cobra.ShellCompDirectiveNoFileComp
}

// globalFlagsFrom reads the workspace flags (--project, --config, --demo) from arguments cobra
// left unparsed, so completion looks at the project the command will run on.
func (a *app) globalFlagsFrom(args []string) {
	for i := 0; i < len(args); i++ {
		name, value, hasValue := strings.Cut(args[i], "=")
		next := func() string {
			if hasValue {
				return value
			}
			if i+1 < len(args) {
				i++
				return args[i]
			}
			return ""
		}
		switch name {
		case "--project":
			a.project = next()
		case "--config":
			a.config = next()
		case "--demo":
			a.demo = !hasValue || value == "true"
		}
	}
}

func resourceTypes(prefix string) []string {
	var out []string
	for _, t := range []string{"analysis", "exposure", "metric", "model", "saved_query", "seed", "semantic_model", "snapshot", "source", "test", "unit_test", "default", "all"} {
		if strings.HasPrefix(t, prefix) {
			out = append(out, t)
		}
	}
	return out
}

// nodeArg completes a command's one node argument.
func (a *app) nodeArg(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return a.completeNodes(toComplete)
}
