package forge

import (
	"fmt"
	"strings"
)

// The GraphQL documents datatui sends. Every one is validated against GitHub's published schema
// in a test (queries_test.go), so a misspelt field fails CI instead of a user's refresh.
//
// A refresh is two requests whatever the number of pull requests: listQuery finds which pull
// requests to show (the filter's search and the current branch's PR), then detailQuery asks for
// all of them at once, one alias each. Two steps because isRequired(pullRequestNumber:) — which
// checks branch protection and rulesets require for *this* pull request — takes the number as an
// argument, and the numbers are only known after the search.

// listQuery: the viewer, the budget, the filter's pull requests and the branch's ref and PR.
const listQuery = `query DatatuiPullRequestList($owner: String!, $name: String!, $search: String!, $first: Int!, $branch: String!, $qualified: String!, $withBranch: Boolean!) {
  viewer { login }
  rateLimit { limit cost remaining resetAt }
  search(query: $search, type: ISSUE, first: $first) {
    issueCount
    nodes { ... on PullRequest { number } }
  }
  repository(owner: $owner, name: $name) @include(if: $withBranch) {
    ref(qualifiedName: $qualified) { name }
    pullRequests(headRefName: $branch, states: [OPEN], first: 1, orderBy: {field: UPDATED_AT, direction: DESC}) { nodes { number } }
  }
}`

// prFragment is everything that decides readiness, except the checks.
const prFragment = `fragment pr on PullRequest {
  number title url isDraft mergeable mergeStateStatus reviewDecision updatedAt isInMergeQueue
  author { login }
  headRefName headRefOid baseRefName
  baseRef {
    refUpdateRule { requiredApprovingReviewCount requiredStatusCheckContexts requiresCodeOwnerReviews requiresConversationResolution requiresSignatures }
    rules(first: 50) { nodes { type parameters {
      __typename
      ... on PullRequestParameters { requiredApprovingReviewCount requireCodeOwnerReview requiredReviewThreadResolution }
      ... on RequiredStatusChecksParameters { strictRequiredStatusChecksPolicy requiredStatusChecks { context } }
    } } }
  }
  latestOpinionatedReviews(first: 100, writersOnly: true) { nodes { state author { login } } }
  reviewRequests(first: 30) { nodes { asCodeOwner requestedReviewer { __typename ... on User { login } ... on Team { combinedSlug } ... on Bot { login } } } }
  reviewThreads(first: 100) { totalCount nodes { isResolved } }
}`

// commitFragment is the head commit without its check page.
const commitFragment = `fragment commit on Commit {
  oid
  signature { isValid }
  checkSuites(first: 20) { nodes { status conclusion app { slug name } workflowRun { url workflow { name } } checkRuns(first: 1) { totalCount } } }
}`

// checkFragments are one page of checks.
const checkFragments = `fragment checkPage on StatusCheckRollupContextConnection { totalCount pageInfo { hasNextPage endCursor } }
fragment check on StatusCheckRollupContext {
  __typename
  ... on CheckRun { name status conclusion startedAt completedAt detailsUrl checkSuite { app { slug } workflowRun { workflow { name } } } }
  ... on StatusContext { context state targetUrl description createdAt }
}`

// checkNodes selects a page's checks with isRequired for pull request variable v.
func checkNodes(v string) string {
	return fmt.Sprintf(`nodes { ...check ... on CheckRun { isRequired(pullRequestNumber: $%[1]s) } ... on StatusContext { isRequired(pullRequestNumber: $%[1]s) } }`, v)
}

// checksPerPage is GitHub's largest page.
const checksPerPage = 100

// detailQuery asks for n pull requests of one repository, the one number each in $n0…$n{n-1},
// answered under the aliases pr0…pr{n-1}.
func detailQuery(n int) string {
	var b strings.Builder
	b.WriteString("query DatatuiPullRequests($owner: String!, $name: String!")
	for i := range n {
		fmt.Fprintf(&b, ", $n%d: Int!", i)
	}
	b.WriteString(") {\n  rateLimit { limit cost remaining resetAt }\n  repository(owner: $owner, name: $name) {\n")
	for i := range n {
		v := fmt.Sprintf("n%d", i)
		fmt.Fprintf(&b, "    pr%d: pullRequest(number: $%s) { ...pr commits(last: 1) { nodes { commit { ...commit statusCheckRollup { state contexts(first: %d) { ...checkPage %s } } } } } }\n",
			i, v, checksPerPage, checkNodes(v))
	}
	b.WriteString("  }\n}\n")
	b.WriteString(prFragment + "\n" + commitFragment + "\n" + checkFragments)
	return b.String()
}

// checksQuery is the next page of one pull request's checks (built on use: it is not a
// constant, and the package does no work at start-up).
func checksQuery() string {
	return `query DatatuiPullRequestChecks($owner: String!, $name: String!, $number: Int!, $after: String!) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) { commits(last: 1) { nodes { commit { statusCheckRollup { contexts(first: ` + fmt.Sprint(checksPerPage) + `, after: $after) { ...checkPage ` + checkNodes("number") + ` } } } } } }
  }
}
` + checkFragments
}

// Documents returns every GraphQL document datatui may send (detail queries for 1 and 3 pull
// requests stand for all sizes), for the schema test.
func Documents() map[string]string {
	return map[string]string{"list": listQuery, "detail-1": detailQuery(1), "detail-3": detailQuery(3), "checks": checksQuery()}
}
