package ui

import (
	"github.com/datatui/datatui/internal/dbt/profiles"
	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/workspace"
)

// loadProfileInfo fills the profile facts (target, adapter, user, role) from profiles.yml.
// A missing or broken profile is recorded, not fatal: the status bar then shows less.
func loadProfileInfo(ws *workspace.Workspace, info *common.InfoMsg) {
	target := ""
	if ws.Config != nil {
		target = ws.Config.DBT.Target
	}
	info.Target = target
	p, err := profiles.LoadProfile(profiles.ProfilesOptions{ProjectDir: ws.ProjectDir})
	if err != nil {
		info.ProfileErr = err
		return
	}
	t, err := p.Target(target)
	if err != nil {
		info.ProfileErr = err
		return
	}
	info.Target, info.Adapter, info.User, info.Role, info.Database = t.Name, t.Type, t.User, t.Role, t.Database
}
