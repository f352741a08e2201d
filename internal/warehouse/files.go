package warehouse

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/datatui/datatui/internal/config"
)

// DuckDBExt is the file extension of DuckDB databases.
const DuckDBExt = ".duckdb"

// ResolvePath is where path really is: absolute, with every symbolic link followed as far as
// the path exists (a link to a file that does not exist yet resolves to that file's path).
func ResolvePath(path string) string {
	return resolvePath(path, 0)
}

func resolvePath(path string, depth int) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return filepath.Clean(path)
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		return real
	}
	dir, base := filepath.Split(abs)
	dir = filepath.Clean(dir)
	if dir != abs && depth < 40 {
		dir = resolvePath(dir, depth+1)
	}
	p := filepath.Join(dir, base)
	if st, err := os.Lstat(p); err == nil && st.Mode()&os.ModeSymlink != 0 && depth < 40 {
		if to, err := os.Readlink(p); err == nil {
			if !filepath.IsAbs(to) {
				to = filepath.Join(dir, to)
			}
			return resolvePath(to, depth+1)
		}
	}
	return p
}

// SameFile reports whether a and b are one file: the same path once symbolic links are
// followed, or, when both exist, the same device and inode, so neither a symlink nor a hard
// link under another name hides that two paths are one database.
func SameFile(a, b string) bool {
	if strings.TrimSpace(a) == "" || strings.TrimSpace(b) == "" {
		return false
	}
	ra, rb := ResolvePath(a), ResolvePath(b)
	if ra == rb {
		return true
	}
	sa, err1 := os.Stat(ra)
	sb, err2 := os.Stat(rb)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

// DuckDBFileOf resolves a dbt-duckdb path: relative paths are relative to dir (the folder
// dbt runs in); ":memory:" and remote paths (md:, s3://…) are returned as written.
func DuckDBFileOf(dir, path string) string {
	if path == "" || path == ":memory:" || filepath.IsAbs(path) || strings.HasPrefix(path, "md:") || strings.Contains(path, "://") {
		return path
	}
	return filepath.Join(dir, path)
}

// DuckDBPolicy is the guard for DuckDB, where the sandbox is the dev target's own file
// (sandboxFile): prod, the clone and the protected databases are the files of those names
// beside it, and targetFiles (profiles.yml target name → file) adds the file of every other
// target. Files of the sandbox target and the allowed targets are not guarded against; every
// other one is, so a dev path that is prod's file under another name is refused.
func DuckDBPolicy(cfg *config.Config, cfgErr error, sandboxFile string, targetFiles map[string]string) Policy {
	if cfg == nil {
		cfg = config.Default()
	}
	w := cfg.Warehouse
	p := Policy{Sandbox: DuckDBName(sandboxFile), Prod: w.ProdDatabase, Clone: w.CloneDatabase, Protected: w.Protected,
		SandboxFile: sandboxFile, Targets: targetsOf(cfg.DBT)}
	p.setConfigErr(cfgErr)
	dir := filepath.Dir(sandboxFile)
	add := func(name, what string) {
		if n := strings.TrimSpace(name); n != "" {
			p.Files = append(p.Files, GuardedFile{Path: filepath.Join(dir, NormaliseDuckName(n)+DuckDBExt), What: what})
		}
	}
	add(w.ProdDatabase, "the production database's file (datatui.yml warehouse.prod_database)")
	add(w.CloneDatabase, "the clone's file (datatui.yml warehouse.clone_database)")
	for _, pr := range w.Protected {
		add(pr, "a protected database's file (datatui.yml warehouse.protected)")
	}
	for name, file := range targetFiles {
		if p.TargetAllowed(name) || file == "" {
			continue
		}
		what := fmt.Sprintf("the file of the %s target in profiles.yml", name)
		if SameName(DuckDBName(file), w.ProdDatabase) {
			what = fmt.Sprintf("the production database's file (the %s target in profiles.yml)", name)
		}
		p.Files = append(p.Files, GuardedFile{Path: file, What: what})
	}
	return p
}

// DuckDBName is the name DuckDB (and dbt-duckdb) gives a database file: its stem.
func DuckDBName(path string) string {
	return strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
}

// NormaliseDuckName is the file stem of a database name written in datatui.yml: quotes
// removed, case kept (DuckDB's file names are the user's own spelling).
func NormaliseDuckName(name string) string {
	name = strings.TrimSpace(name)
	if len(name) >= 2 && name[0] == '"' && name[len(name)-1] == '"' {
		return strings.ReplaceAll(name[1:len(name)-1], `""`, `"`)
	}
	return name
}
