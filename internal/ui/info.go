package ui

import (
	"context"
	"time"

	"github.com/datatui/datatui/internal/dbt/dbtyaml"
	"github.com/datatui/datatui/internal/gitstate"
	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/workspace"
)

// LoadInfo gathers the status bar's facts. It runs in a command, never in Update; each part
// fails on its own so that a missing profile does not hide the branch.
func LoadInfo(ctx context.Context, ws *workspace.Workspace) common.InfoMsg {
	var info common.InfoMsg
	if ws == nil {
		return info
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	info.Project = projectName(ws.ProjectDir)
	if ws.InGit {
		info.Git, info.GitErr = gitstate.Read(ctx, nil, ws.Root)
	}
	loadProfileInfo(ws, &info)
	return info
}

// projectName is the project's name from dbt_project.yml, read by the dbt layer's one reader
// of that file ("" when it cannot be read: the status bar shows what it has).
func projectName(dir string) string {
	p, err := dbtyaml.ReadProjectFile(dir)
	if err != nil {
		return ""
	}
	return p.Name
}
