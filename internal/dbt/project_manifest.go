package dbt

// loadManifestGraph reads a manifest.json into a Graph through the manifest index (cached under
// cacheDir when it is not empty).
func loadManifestGraph(path, cacheDir string) (*Graph, error) {
	return LoadManifest(path, LoadOptions{CacheDir: cacheDir})
}
