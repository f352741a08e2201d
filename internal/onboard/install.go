package onboard

import "fmt"

// installHint returns the exact command that installs tool on this OS, given which Python
// installers are present. dbt is installed through uv, pipx or pip, in that order of
// preference, because those keep dbt apart from other Python software.
func (e *Env) installHint(tool, adapter string) string {
	switch tool {
	case "git":
		switch e.GOOS {
		case "darwin":
			return "xcode-select --install"
		case "windows":
			return "winget install --id Git.Git -e"
		default:
			return "sudo apt install git"
		}
	case "gh":
		switch e.GOOS {
		case "darwin":
			return "brew install gh"
		case "windows":
			return "winget install --id GitHub.cli -e"
		default:
			return "sudo apt install gh"
		}
	case "dbt":
		return e.dbtInstallHint(adapter)
	case "uv":
		switch e.GOOS {
		case "darwin":
			return "brew install uv"
		case "windows":
			return "winget install --id astral-sh.uv -e"
		default:
			return "curl -LsSf https://astral.sh/uv/install.sh | sh"
		}
	case "pre-commit":
		if _, err := e.LookPath("uv"); err == nil {
			return "uv tool install pre-commit"
		}
		return "pipx install pre-commit"
	case "code", "editor":
		return "set $EDITOR to your editor (for example: export EDITOR=\"code --wait\")"
	}
	return fmt.Sprintf("install %s and make sure it is on your PATH", tool)
}

func (e *Env) dbtInstallHint(adapter string) string {
	if adapter == "" {
		adapter = "snowflake"
	}
	plugin := "dbt-" + adapter
	switch {
	case e.has("uv"):
		return fmt.Sprintf("uv tool install dbt-core --with %s", plugin)
	case e.has("pipx"):
		return fmt.Sprintf("pipx install dbt-core && pipx inject dbt-core %s", plugin)
	case e.has("python3"):
		return fmt.Sprintf("python3 -m pip install --user dbt-core %s", plugin)
	case e.has("python"):
		return fmt.Sprintf("python -m pip install --user dbt-core %s", plugin)
	}
	return fmt.Sprintf("first install uv (%s), then: uv tool install dbt-core --with %s", e.installHint("uv", ""), plugin)
}

func (e *Env) has(tool string) bool {
	_, err := e.LookPath(tool)
	return err == nil
}
