package lineage

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/dbt/lineage"
)

// The finder's matcher, built for a keystroke of ≤16 ms on 100k-node graphs: keys are
// lower-cased once per load, a longer query only re-checks the nodes the shorter one matched
// (a subsequence of q+c is a subsequence of q), and only the best maxHits are sorted.

// finderIndex is what the finder reads on each key, computed once per load.
type finderIndex struct {
	// slab holds every node's lower-cased search text (display name, path, #tags,
	// description) end to end, node i's at slab[start[i]:start[i+1]]: one pointer-free block
	// scanned in order, instead of 100k strings scattered through the heap.
	slab  string
	start []int32
	// nameLen is the length of the display name that begins each text.
	nameLen []int32
	// order is the rank of each node in the ranking's tie-break: type, then name.
	order []uint32
	kind  []uint8 // typeRank of each node
	// byOrder inverts order: byOrder[order[i]] == i.
	byOrder []int
	// listed are the enabled nodes other than tests in name order: the empty query's list.
	listed []int
}

// typeRank orders results of equal quality: what people look for (models) before what hangs
// off them (tests).
func typeRank(t string) uint8 {
	switch t {
	case "model":
		return 0
	case "source", "seed", "snapshot":
		return 1
	case "exposure", "metric", "semantic_model", "saved_query", "analysis":
		return 2
	case "test", "unit_test":
		return 4
	}
	return 3
}

func newFinderIndex(g *dbt.Graph, search []string) *finderIndex {
	n := g.Len()
	ix := &finderIndex{start: make([]int32, n+1), nameLen: make([]int32, n), order: make([]uint32, n), kind: make([]uint8, n)}
	byName := make([]int, n)
	var b strings.Builder
	for i := range g.Nodes {
		nd := &g.Nodes[i]
		// search[i] starts with the display name, and lower-casing works rune by rune, so
		// the lower-cased name is the start of the lower-cased text.
		ix.nameLen[i] = int32(len(strings.ToLower(lineage.DisplayName(nd))))
		b.WriteString(strings.ToLower(search[i]))
		ix.start[i+1] = int32(b.Len())
		ix.kind[i] = typeRank(nd.ResourceType)
		byName[i] = i
	}
	ix.slab = b.String()
	display := func(i int) string { return lineage.DisplayName(&g.Nodes[i]) }
	slices.SortStableFunc(byName, func(a, b int) int { return strings.Compare(display(a), display(b)) })
	ix.byOrder = byName
	for r, i := range byName {
		ix.order[i] = uint32(r)
		if nd := &g.Nodes[i]; nd.ResourceType != "test" && nd.ResourceType != "unit_test" && !nd.Disabled {
			ix.listed = append(ix.listed, i)
		}
	}
	return ix
}

// subsequence matches q's runes in s in order, greedily (each at its first occurrence after
// the previous one), and returns the offset just past the last, or -1. Greedy matching is what
// makes narrowing incremental: q+r matches s exactly when r occurs at or after q's end.
func subsequence(s string, from int, q string) int {
	for _, r := range q {
		var k int
		if r < utf8.RuneSelf {
			if k = strings.IndexByte(s[from:], byte(r)); k < 0 {
				return -1
			}
			from += k + 1
			continue
		}
		enc := string(r)
		if k = strings.Index(s[from:], enc); k < 0 {
			return -1
		}
		from += k + len(enc)
	}
	return from
}

func (ix *finderIndex) text(i int32) string { return ix.slab[ix.start[i]:ix.start[i+1]] }

func (ix *finderIndex) name(i int32) string { return ix.slab[ix.start[i] : ix.start[i]+ix.nameLen[i]] }

// candidate is a node that matched a query, with where the greedy match of the query ended in
// its text, so a longer query resumes there. As the text begins with the name, the name
// matches too exactly when end ≤ nameLen.
type candidate struct {
	node, end int32
}

// narrow returns the candidates among cands that match q, which extends base (the query
// cands matched; cands nil means every node and base ""), or nil when ctx is cancelled
// (a newer key made the work stale).
func (ix *finderIndex) narrow(ctx context.Context, cands []candidate, base, q string) []candidate {
	rest := q[len(base):]
	n := len(cands)
	if cands == nil {
		n = len(ix.nameLen)
	}
	out := make([]candidate, 0, n)
	for k := range n {
		c := candidate{node: int32(k)}
		if cands != nil {
			c = cands[k]
		}
		if k&4095 == 4095 && ctx.Err() != nil {
			return nil
		}
		end := subsequence(ix.text(c.node), int(c.end), rest)
		if end < 0 {
			continue
		}
		c.end = int32(end)
		out = append(out, c)
	}
	return out
}

// match quality, best first: the name is the query, starts with it, has it at a word start,
// has it anywhere, has its letters in order; then the same in the path, tags or description.
const (
	qualExact = iota
	qualPrefix
	qualWord
	qualSubstring
	qualSubsequence
	qualTextSubstring
	qualTextSubsequence
)

func (ix *finderIndex) quality(c candidate, q string) uint64 {
	if c.end > ix.nameLen[c.node] {
		if strings.Contains(ix.text(c.node), q) {
			return qualTextSubstring
		}
		return qualTextSubsequence
	}
	name := ix.name(c.node)
	k := strings.Index(name, q)
	switch {
	case name == q:
		return qualExact
	case k == 0:
		return qualPrefix
	case k > 0:
		for ; k >= 0; k = indexFrom(name, q, k+1) {
			if c := name[k-1]; c == '_' || c == '.' || c == ' ' || c == '/' || c == '-' {
				return qualWord
			}
		}
		return qualSubstring
	}
	return qualSubsequence
}

func indexFrom(s, sub string, from int) int {
	if from >= len(s) {
		return -1
	}
	k := strings.Index(s[from:], sub)
	if k < 0 {
		return -1
	}
	return from + k
}

// rank orders the matching nodes cands best first and returns at most limit of them.
func (ix *finderIndex) rank(cands []candidate, q string, limit int) []int {
	// Matches in the name rank above matches elsewhere: with enough of them, the others need
	// no ranking at all (on a large graph most nodes match a short query somewhere).
	names := 0
	for _, c := range cands {
		if c.end <= ix.nameLen[c.node] {
			names++
		}
	}
	keys := make([]uint64, 0, len(cands))
	for _, c := range cands {
		if names >= limit && c.end > ix.nameLen[c.node] {
			continue
		}
		i := c.node
		// quality (3 bits) · type (3 bits) · name length (16 bits) · name order (32 bits):
		// one integer per match, so ranking is integer sorting.
		keys = append(keys, ix.quality(c, q)<<61|uint64(ix.kind[i])<<58|uint64(min(ix.nameLen[i], 0xffff))<<32|uint64(ix.order[i]))
	}
	if len(keys) > limit {
		selectSmallest(keys, limit)
		keys = keys[:limit]
	}
	slices.Sort(keys)
	out := make([]int, len(keys))
	for k, key := range keys {
		out[k] = ix.byOrder[uint32(key)]
	}
	return out
}

// selectSmallest moves the k smallest keys to keys[:k] (in any order): quickselect, so the
// first key of a 100k-node graph does not sort every node.
func selectSmallest(keys []uint64, k int) {
	lo, hi := 0, len(keys)-1
	for lo < hi {
		p := keys[lo+(hi-lo)/2]
		i, j := lo, hi
		for i <= j {
			for keys[i] < p {
				i++
			}
			for keys[j] > p {
				j--
			}
			if i <= j {
				keys[i], keys[j] = keys[j], keys[i]
				i++
				j--
			}
		}
		switch {
		case k-1 <= j:
			hi = j
		case k-1 >= i:
			lo = i
		default:
			return
		}
	}
}
