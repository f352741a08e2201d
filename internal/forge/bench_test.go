package forge

import (
	"encoding/json"
	"fmt"
	"testing"
)

// bigResponse is a details answer with 50 PRs of 20 checks each, the size a busy team's
// "all open" list reaches.
func bigResponse() []byte {
	var prs []map[string]any
	for i := range 50 {
		var nodes []map[string]any
		for j := range 20 {
			nodes = append(nodes, map[string]any{"__typename": "CheckRun", "name": fmt.Sprintf("check %d", j), "status": "COMPLETED", "conclusion": "SUCCESS",
				"startedAt": "2026-11-28T10:00:00Z", "completedAt": "2026-11-28T10:01:00Z", "detailsUrl": fmt.Sprintf("https://github.com/a/b/actions/runs/%d/job/%d", i, j),
				"checkSuite": map[string]any{"app": map[string]any{"slug": "github-actions"}, "workflowRun": map[string]any{"workflow": map[string]any{"name": "CI"}}}})
		}
		prs = append(prs, map[string]any{"number": i + 1, "title": "t", "url": "u", "isDraft": false, "mergeable": "MERGEABLE", "reviewDecision": "APPROVED",
			"updatedAt": "2026-11-28T10:00:00Z", "author": map[string]any{"login": "ana"}, "headRefName": "h", "headRefOid": "abc", "baseRefName": "main",
			"mergeStateStatus":         "CLEAN",
			"baseRef":                  map[string]any{"refUpdateRule": map[string]any{"requiredStatusCheckContexts": []string{"check 1"}}},
			"latestOpinionatedReviews": map[string]any{"nodes": []any{}},
			"commits": map[string]any{"nodes": []any{map[string]any{"commit": map[string]any{"oid": "abc",
				"statusCheckRollup": map[string]any{"state": "SUCCESS", "contexts": map[string]any{"totalCount": 20, "nodes": nodes}},
				"checkSuites":       map[string]any{"nodes": []any{}}}}}}})
	}
	repo := map[string]any{}
	for i, p := range prs {
		repo[fmt.Sprintf("pr%d", i)] = p
	}
	b, _ := json.Marshal(map[string]any{"repository": repo})
	return b
}

// BenchmarkDecodeRefresh decodes one refresh's answer and evaluates every PR.
func BenchmarkDecodeRefresh(b *testing.B) {
	data := bigResponse()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		var r gqlDetail
		if err := json.Unmarshal(data, &r); err != nil {
			b.Fatal(err)
		}
		for _, n := range r.Repository {
			_ = Evaluate(n.toPR(nil))
		}
	}
}
