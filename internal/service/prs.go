package service

import "github.com/datatui/datatui/internal/forge/prstatus"

// PRStatus is the pull-request service of the workspace (forge/prstatus), on the services'
// git runner unless opts names another: `datatui pr status` and the PRs screen both get it
// here, so the branch, remotes and checkouts they see come from the same git.
func (s *Services) PRStatus(opts prstatus.Options) *prstatus.Service {
	if opts.Git == nil {
		opts.Git = s.git
	}
	return prstatus.New(s.ws, opts)
}
