package onboard

import "strings"

// maxDiffLines bounds the files LineDiff compares line by line (its table is n×m); larger
// files are summarised instead. profiles.yml files are a few hundred lines at most.
const maxDiffLines = 4000

// LineDiff is the change from before to after as lines a person reads before a write: "- "
// for a removed line, "+ " for an added one, "  " for context lines, at most context of them
// around each change, and "…" where unchanged lines are left out. Equal texts give nil.
func LineDiff(before, after string, context int) []string {
	a, b := splitLines(before), splitLines(after)
	if len(a)*len(b) > maxDiffLines*maxDiffLines/4 || len(a) > maxDiffLines || len(b) > maxDiffLines {
		return []string{"(the file is too large to show the change line by line)"}
	}
	// lcs[i][j] is the length of the longest common subsequence of a[i:] and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type op struct {
		kind byte // ' ', '-', '+'
		line string
	}
	var ops []op
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			ops = append(ops, op{' ', a[i]})
			i, j = i+1, j+1
		case j < len(b) && (i == len(a) || lcs[i][j+1] > lcs[i+1][j]):
			ops = append(ops, op{'+', b[j]})
			j++
		default:
			ops = append(ops, op{'-', a[i]})
			i++
		}
	}
	// Keep the changes and context lines around them.
	keep := make([]bool, len(ops))
	changed := false
	for k, o := range ops {
		if o.kind == ' ' {
			continue
		}
		changed = true
		for c := max(0, k-context); c <= min(len(ops)-1, k+context); c++ {
			keep[c] = true
		}
	}
	if !changed {
		return nil
	}
	var out []string
	skipped := false
	for k, o := range ops {
		if !keep[k] {
			skipped = true
			continue
		}
		if skipped && len(out) > 0 {
			out = append(out, "…")
		}
		skipped = false
		out = append(out, string(o.kind)+" "+o.line)
	}
	return out
}

func splitLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}
