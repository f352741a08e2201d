package ui

import (
	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/workspace"
)

// loadProfileInfo fills the profile facts (target, adapter, user, role) from profiles.yml.
func loadProfileInfo(ws *workspace.Workspace, info *common.InfoMsg) {
	if ws.Config != nil {
		info.Target = ws.Config.DBT.Target
	}
}
