package onboard

import (
	"path/filepath"
	"strings"
)

// dbtVersionFromDistInfo reads dbt's version from the Python package metadata beside the dbt
// executable (the virtual environment uv, pipx or pip created), without running dbt. It is the
// fallback when `dbt --version` does not answer in time: dbt asks PyPI for the latest version,
// which hangs on a machine without network.
func dbtVersionFromDistInfo(dbtPath string) (DBTVersion, bool) {
	real, err := filepath.EvalSymlinks(dbtPath)
	if err != nil {
		return DBTVersion{}, false
	}
	venv := filepath.Dir(filepath.Dir(real)) // <venv>/bin/dbt or <venv>\Scripts\dbt.exe
	var sitePackages []string
	for _, pattern := range []string{"lib/python*/site-packages", "Lib/site-packages"} {
		m, _ := filepath.Glob(filepath.Join(venv, filepath.FromSlash(pattern)))
		sitePackages = append(sitePackages, m...)
	}
	v := DBTVersion{Plugins: map[string]string{}}
	for _, sp := range sitePackages {
		infos, _ := filepath.Glob(filepath.Join(sp, "dbt_*.dist-info"))
		for _, info := range infos {
			name, ver, ok := strings.Cut(strings.TrimSuffix(filepath.Base(info), ".dist-info"), "-")
			if !ok || !validVersion(ver) {
				continue
			}
			switch name {
			case "dbt_core":
				v.Core = ver
			case "dbt_adapters", "dbt_common", "dbt_extractor", "dbt_semantic_interfaces", "dbt_protos":
				// libraries of dbt-core, not adapters
			default:
				if fileExists(filepath.Join(info, "METADATA")) {
					v.Plugins[strings.TrimPrefix(name, "dbt_")] = ver
				}
			}
		}
	}
	if v.Core == "" {
		return DBTVersion{}, false
	}
	return v, true
}
