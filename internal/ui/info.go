package ui

import (
	"bufio"
	"context"
	"os"
	"strings"
	"time"

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
		info.Git, info.GitErr = gitstate.Read(ctx, ws.Root)
	}
	loadProfileInfo(ws, &info)
	return info
}

// projectName reads the name: line of dbt_project.yml (a full YAML parse is not needed for
// one top-level scalar, and this runs on every start).
func projectName(dir string) string {
	f, err := os.Open(dir + "/dbt_project.yml")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "name:") {
			return strings.Trim(strings.TrimSpace(strings.TrimPrefix(line, "name:")), `"'`)
		}
	}
	return ""
}
