package dbt

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/datatui/datatui/internal/dbt/jsonscan"
)

// OriginManifest is Origin.Kind for graphs read from a dbt manifest.json.
const OriginManifest = "manifest"

// OriginQuickParse is Origin.Kind for graphs built from the project files without dbt.
const OriginQuickParse = "quick-parse"

// LatestManifestSchema is the newest manifest schema version datatui knows. Newer versions are
// read the same way (dbt only adds optional keys within a version), with a warning.
const LatestManifestSchema = 12

// manifestSections are the top-level dicts of manifest.json that hold graph members.
var manifestSections = [...]string{"nodes", "sources", "exposures", "metrics", "semantic_models", "saved_queries", "unit_tests", "functions"}

// LoadManifest reads a dbt manifest.json (schema v1 to v12) into a Graph: nodes, sources,
// exposures, metrics, semantic models, saved queries, unit tests and functions, plus disabled
// definitions (flagged Disabled, without edges). Raw and compiled SQL are not kept; Graph.SQL
// reads them back on demand. With opts.CacheDir set the decoded index is cached there and reused
// while the file is unchanged (see cache.go); a stale or unreadable cache is rebuilt silently.
func LoadManifest(path string, opts LoadOptions) (*Graph, error) {
	readAt := clock()
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("manifest: %s is a folder, not a manifest.json", path)
	}
	if opts.CacheDir != "" {
		if g := readCachedIndex(path, st, opts.CacheDir, opts.OneShot); g != nil {
			return g, nil
		}
	}
	data, release, drop, err := readWhole(path)
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	g, err := decodeManifest(data, path, st.ModTime(), drop)
	if err != nil {
		release()
		return nil, fmt.Errorf("manifest %s: %w", path, err)
	}
	if opts.OneShot {
		spareGraph()
	}
	if opts.CacheDir == "" {
		release()
		return g, nil
	}
	// The cache keeps a sample of the manifest's bytes; the mapping is given back before the
	// cache is encoded, so the encoder's buffers do not come on top of the file's pages.
	sample := sampleCRC(data)
	release()
	// A cache that cannot be written only costs the next start some time.
	if opts.WriteCacheAside {
		done := make(chan struct{})
		g.cacheDone = done
		go func() {
			defer close(done)
			_ = writeCachedIndex(g, path, st, sample, opts.CacheDir, readAt)
		}()
		return g, nil
	}
	_ = writeCachedIndex(g, path, st, sample, opts.CacheDir, readAt)
	return g, nil
}

// WaitCache waits for the index cache a load with WriteCacheAside is writing, if any.
func (g *Graph) WaitCache() {
	if g.cacheDone != nil {
		<-g.cacheDone
	}
}

// ParseManifest decodes manifest.json bytes. path and mtime only fill Origin.
func ParseManifest(data []byte, path string, mtime time.Time) (*Graph, error) {
	return decodeManifest(data, path, mtime, func(int, int) {})
}

// nodeSpan is where one graph member's JSON object sits in the file.
type nodeSpan struct {
	start, end int
	section    uint8 // index into manifestSections
	disabled   bool
}

type manifestMeta struct {
	schemaURL, dbtVersion, projectName string
	macros                             map[string]Macro
}

// dropStep is the least that is handed back at a time (a tenth of a second of decoding).
var dropStep = 4 << 20

// decodeManifest decodes a whole manifest. drop(lo, hi) is called for ranges of data nothing
// will read again (see readWhole), in order, so memory stays near the size of what is kept.
func decodeManifest(data []byte, path string, mtime time.Time, drop func(lo, hi int)) (*Graph, error) {
	defer relaxGC(coldDecodeGC)()
	p := &decodePipeline{data: data, drop: drop, inflight: map[int]int{}}
	meta, err := p.run()
	if err != nil {
		return nil, err
	}
	origin := manifestOrigin(&meta, path, mtime)
	nodes, spans := keepDefinitions(p.done)
	src := &sqlSource{path: path, size: int64(len(data)), mtime: mtime, spans: spans}
	if origin.ProjectName == "" {
		origin.ProjectName = guessRootProject(nodes)
	}
	g := NewGraph(nodes, origin)
	g.sql = src
	g.Macros = meta.macros
	return g, nil
}

// decodeBatchSize is how many graph members a decoder takes at a time.
const decodeBatchSize = 128

// decodeBatch is a run of graph members' spans, and their nodes once decoded.
type decodeBatch struct {
	seq   int
	spans []nodeSpan
	nodes []Node
}

// decodePipeline is the top-level scan, which finds each member's byte span, and the
// decoders it hands spans to in batches, so decoding runs on the other cores while the scan
// continues.
type decodePipeline struct {
	data []byte
	drop func(lo, hi int)

	mu        sync.Mutex
	done      []*decodeBatch // decoded, in seq order once run returns
	decodeErr error
	// Everything before the start of the oldest batch not yet decoded, and before the scan's
	// position, is done with: inflight holds the start of each batch sent and not decoded.
	inflight          map[int]int
	frontier, dropped int
}

// run scans and decodes the manifest and returns its metadata; the nodes are in p.done.
func (p *decodePipeline) run() (manifestMeta, error) {
	workers := max(1, min(runtime.GOMAXPROCS(0), 8))
	// A short queue keeps the scan just ahead of the decoders, so the part of the file that is
	// scanned but not yet decoded (and cannot be dropped) stays small.
	work := make(chan *decodeBatch, 2*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.decoder(work)
		}()
	}
	meta, scanErr := p.scan(work)
	wg.Wait()
	if scanErr != nil {
		return meta, scanErr
	}
	if p.decodeErr != nil {
		return meta, p.decodeErr
	}
	sort.Slice(p.done, func(a, b int) bool { return p.done[a].seq < p.done[b].seq })
	return meta, nil
}

// scan walks the top level, sending full batches of spans to work; it closes work.
func (p *decodePipeline) scan(work chan<- *decodeBatch) (meta manifestMeta, err error) {
	seq := 0
	cur := &decodeBatch{}
	send := func(end int) {
		p.mu.Lock()
		p.inflight[cur.seq] = cur.spans[0].start
		p.frontier = end
		p.mu.Unlock()
		work <- cur
		seq++
		cur = &decodeBatch{seq: seq}
	}
	emit := func(sp nodeSpan) {
		cur.spans = append(cur.spans, sp)
		if len(cur.spans) == decodeBatchSize {
			send(sp.end)
		}
	}
	defer close(work)
	defer jsonscan.Catch(&err)
	top := jsonscan.New(p.data)
	scanManifestTop(&top, &meta, emit)
	if len(cur.spans) > 0 {
		send(len(p.data))
	}
	return meta, nil
}

// decoder decodes the batches it receives until work is closed.
func (p *decodePipeline) decoder(work <-chan *decodeBatch) {
	d := &nodeDecoder{s: jsonscan.New(p.data), maps: map[uint64][]map[string]string{}}
	d.s.Interning(1024)
	for b := range work {
		b.nodes = make([]Node, len(b.spans))
		err := func() (err error) {
			defer jsonscan.Catch(&err)
			for k, sp := range b.spans {
				d.s.Seek(sp.start)
				d.decode(&b.nodes[k], sp)
			}
			return nil
		}()
		p.mu.Lock()
		if err != nil && p.decodeErr == nil {
			p.decodeErr = err
		}
		p.done = append(p.done, b)
		delete(p.inflight, b.seq)
		p.release()
		p.mu.Unlock()
	}
}

// release hands back what no batch still needs, once it is at least dropStep; p.mu is held.
func (p *decodePipeline) release() {
	low := p.frontier
	for _, start := range p.inflight {
		low = min(low, start)
	}
	if low-p.dropped >= dropStep {
		p.drop(p.dropped, low)
		p.dropped = low
	}
}

// manifestOrigin says where the graph came from, with a warning for a schema datatui does
// not know.
func manifestOrigin(meta *manifestMeta, path string, mtime time.Time) Origin {
	origin := Origin{Kind: OriginManifest, Path: path, Built: mtime, DBTVersion: meta.dbtVersion, ProjectName: meta.projectName}
	origin.SchemaVersion = schemaVersion(meta.schemaURL)
	switch {
	case meta.schemaURL == "":
		origin.SchemaWarning = "the manifest has no metadata.dbt_schema_version; reading it as the newest format"
	case origin.SchemaVersion < 1 || origin.SchemaVersion > LatestManifestSchema || !strings.Contains(meta.schemaURL, "/manifest/"):
		origin.SchemaWarning = fmt.Sprintf("unknown manifest schema %s (datatui knows v1 to v%d); reading it anyway, some fields may be missing", meta.schemaURL, LatestManifestSchema)
	}
	if origin.SchemaWarning != "" {
		origin.Warnings = append(origin.Warnings, origin.SchemaWarning)
	}
	return origin
}

// keepDefinitions keeps one definition per unique id, the enabled one, else the first
// disabled one, in unique id order, with the span of each in the file.
func keepDefinitions(done []*decodeBatch) ([]Node, [][2]int64) {
	type pair struct {
		n    *Node
		span nodeSpan
	}
	total := 0
	for _, b := range done {
		total += len(b.nodes)
	}
	kept := make([]pair, 0, total)
	seen := make(map[string]int, total)
	for _, b := range done {
		for k := range b.nodes {
			n := &b.nodes[k]
			if n.UniqueID == "" {
				continue
			}
			if j, dup := seen[n.UniqueID]; dup {
				if kept[j].n.Disabled && !n.Disabled {
					kept[j] = pair{n, b.spans[k]}
				}
				continue
			}
			seen[n.UniqueID] = len(kept)
			kept = append(kept, pair{n, b.spans[k]})
		}
	}
	sort.Slice(kept, func(a, b int) bool { return kept[a].n.UniqueID < kept[b].n.UniqueID })
	out := make([]Node, len(kept))
	spans := make([][2]int64, len(kept))
	for k := range kept {
		out[k] = *kept[k].n
		spans[k] = [2]int64{int64(kept[k].span.start), int64(kept[k].span.end)}
	}
	return out, spans
}

// scanManifestTop walks the top-level object: it reads metadata and emits the span of every
// graph member (and disabled definition), skipping everything else (macros, docs, maps).
func scanManifestTop(s *jsonscan.Scanner, meta *manifestMeta, emit func(nodeSpan)) {
	if s.AtEnd() {
		s.Fail("the file is empty")
	}
	if c := s.Peek(); c != '{' {
		s.Fail("a manifest is a JSON object; found %s", jsonscan.QuoteByte(c))
	}
	s.Object(func(key []byte) {
		switch k := string(key); k {
		case "metadata":
			s.Object(func(mk []byte) {
				switch string(mk) {
				case "dbt_schema_version":
					meta.schemaURL = s.Str()
				case "dbt_version":
					meta.dbtVersion = s.Str()
				case "project_name":
					meta.projectName = s.Str()
				default:
					s.Skip()
				}
			})

		case "macros":
			meta.macros = scanMacros(s)
		case "disabled":

			collect := func() {
				if s.Peek() != '{' {
					s.Skip()
					return
				}
				start := s.Pos()
				s.SkipNested()
				emit(nodeSpan{start: start, end: s.Pos(), disabled: true})
			}
			switch s.Peek() {
			case '[':
				s.Array(collect)
			case '{':
				s.Object(func([]byte) {
					if s.Peek() == '[' {
						s.Array(collect)
					} else {
						collect()
					}
				})

			default:
				s.Skip()
			}
		default:
			sec := slices.Index(manifestSections[:], k)
			if sec < 0 {
				s.Skip()
				return
			}
			if c := s.Peek(); c != '{' && c != 'n' {
				s.Fail("%q should be an object, found %s", k, jsonscan.QuoteByte(c))
			}
			s.Object(func([]byte) {
				if c := s.Peek(); c != '{' {
					s.Fail("entries of %q should be objects, found %s", k, jsonscan.QuoteByte(c))
				}
				start := s.Pos()
				s.SkipNested()
				emit(nodeSpan{start: start, end: s.Pos(), section: uint8(sec)})
			})

		}
	})

	if !s.AtEnd() {
		s.Fail("unexpected data after the manifest object")
	}
}

// scanMacros reads the macros section: for each macro a hash of its SQL and the macros it
// calls, which is what dbt's state:modified.macros compares.
func scanMacros(s *jsonscan.Scanner) map[string]Macro {
	if s.Peek() != '{' {
		s.Skip()
		return nil
	}
	out := map[string]Macro{}
	s.Object(func([]byte) {
		if s.Peek() != '{' {
			s.Skip()
			return
		}
		var id string
		var m Macro
		s.Object(func(k []byte) {
			switch string(k) {
			case "unique_id":
				id = s.Str()
			case "macro_sql":
				if s.Peek() != '"' {
					s.Skip()
					return
				}
				raw, _ := s.RawString()
				m.Checksum = strconv.FormatUint(fnvBytes(14695981039346656037, raw), 16)
			case "depends_on":
				s.Object(func(k []byte) {
					if string(k) == "macros" {
						m.DependsOn = s.Strs()
					} else {
						s.Skip()
					}
				})

			default:
				s.Skip()
			}
		})

		if id != "" {
			out[id] = m
		}
	})

	return out
}

// schemaVersion extracts N from ".../manifest/vN.json"; 0 when absent.
func schemaVersion(url string) int {
	i := strings.LastIndex(url, "/v")
	if i < 0 {
		return 0
	}
	v := strings.TrimSuffix(url[i+2:], ".json")
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0
	}
	return n
}

// guessRootProject picks the most common package of models when metadata lacks project_name
// (manifests before v10).
func guessRootProject(nodes []Node) string {
	counts := map[string]int{}
	best, bestN := "", 0
	for i := range nodes {
		if nodes[i].ResourceType == "model" && !nodes[i].Disabled {
			counts[nodes[i].Package]++
			if c := counts[nodes[i].Package]; c > bestN || c == bestN && nodes[i].Package < best {
				best, bestN = nodes[i].Package, c
			}
		}
	}
	return best
}

// nodeDecoder decodes graph members; one per goroutine.
type nodeDecoder struct {
	s jsonscan.Scanner
	// maps shares identical config maps between nodes (most nodes of a project have the same
	// handful of default configs), keyed by a hash of their contents.
	maps  map[uint64][]map[string]string
	kv    [][2]string // scratch for config pairs
	kinds [][2]string // scratch for config value kinds
}

// nodeLate holds what decode reads in any order but can only apply once the whole node is
// read: top-level access and group override the config's, a test's column_name fills in for
// test_metadata's, config.meta stands in for a missing meta.
type nodeLate struct {
	access, group, testColumn        string
	cfgMeta, cfgMetaKinds, metaKinds map[string]string
}

// decode reads the graph member at sp. Its keys are looked up by kind (where the node is,
// what documents it, how it joins the graph): three short switches instead of one long one.
func (d *nodeDecoder) decode(n *Node, sp nodeSpan) {
	var late nodeLate
	n.Config.Enabled = !sp.disabled
	n.Disabled = sp.disabled
	exposure := manifestSections[sp.section] == "exposures"
	d.s.Object(func(key []byte) {
		k := string(key)
		if !d.location(n, k) && !d.docs(n, k, exposure, &late) && !d.links(n, k, &late) {
			d.s.Skip()
		}
	})
	d.settle(n, &late)
}

// location reads the keys that name and place a node; false when key is not one of them.
func (d *nodeDecoder) location(n *Node, key string) bool {
	s := &d.s
	switch key {
	case "unique_id":
		n.UniqueID = s.Str()
	case "name":
		n.Name = s.Str()
	case "resource_type":
		n.ResourceType = s.InternedStr()
	case "package_name":
		n.Package = s.InternedStr()
	case "path":
		n.Path = s.Str()
	case "original_file_path":
		n.OriginalPath = s.Str()
	case "patch_path":
		n.PatchPath = s.Str()
	case "fqn":
		n.FQN = s.Strs()
	case "database":
		n.Database = s.InternedStr()
	case "schema":
		n.Schema = s.InternedStr()
	case "alias":
		n.Alias = s.Str()
	case "relation_name":
		n.RelationName = s.Str()
	case "source_name":
		n.SourceName = s.InternedStr()
	default:
		return false
	}
	return true
}

// docs reads the keys that describe a node to people; false when key is not one of them.
func (d *nodeDecoder) docs(n *Node, key string, exposure bool, late *nodeLate) bool {
	s := &d.s
	switch key {
	case "description":
		n.Description = s.Str()
	case "tags":
		n.Tags = s.Strs()
	case "version":
		n.Version, _ = s.Text()
	case "latest_version":
		n.LatestVersion, _ = s.Text()
	case "meta":
		n.Meta, late.metaKinds = d.flatMap()
	case "owner":
		n.Owner = d.owner()
	case "label":
		n.Label = s.Str()
	case "type":
		if exposure {
			n.ExposureType = s.Str()
		} else {
			s.Skip()
		}
	case "url":
		n.URL = s.Str()
	case "access":
		late.access = s.InternedStr()
	case "group":
		late.group = s.InternedStr()
	default:
		return false
	}
	return true
}

// links reads the keys that join a node to the graph and to state comparison (config,
// columns, dependencies, tests, checksums); false when key is not one of them.
func (d *nodeDecoder) links(n *Node, key string, late *nodeLate) bool {
	s := &d.s
	switch key {
	case "config":
		late.cfgMeta, late.cfgMetaKinds = d.config(&n.Config, n)
	case "columns":
		n.Columns = d.columns()
	case "depends_on":
		d.dependsOn(n)
	case "test_metadata":
		if tm := d.testMetadata(); tm.Name != "" {
			n.TestMetadata = tm
		}
	case "column_name":
		late.testColumn = s.Str()
	case "attached_node":
		n.AttachedNode = s.Str()
	case "checksum":
		n.Checksum = d.checksum()
	case "unrendered_config":
		n.UnrenderedHash, n.UnrenderedRelation = d.unrendered()
	case "contract":
		d.contract(n)
	default:
		return false
	}
	return true
}

func (d *nodeDecoder) dependsOn(n *Node) {
	s := &d.s
	s.Object(func(k []byte) {
		switch string(k) {
		case "nodes":
			n.DependsOn = s.Strs()
		case "macros":
			n.MacroDeps = s.Strs()
		default:
			s.Skip()
		}
	})
}

// testMetadata reads a generic test's macro, its package and the column it tests.
func (d *nodeDecoder) testMetadata() *TestMetadata {
	s := &d.s
	tm := &TestMetadata{}
	s.Object(func(k []byte) {
		switch string(k) {
		case "name":
			tm.Name = s.InternedStr()
		case "namespace":
			tm.Namespace = s.InternedStr()
		case "kwargs":
			s.Object(func(k []byte) {
				if string(k) == "column_name" {
					tm.Column, _ = s.Text()
				} else {
					s.Skip()
				}
			})
		default:
			s.Skip()
		}
	})
	return tm
}

// checksum reads a file checksum: a string (old manifests) or {"name", "checksum"}.
func (d *nodeDecoder) checksum() string {
	s := &d.s
	if s.Peek() == '"' {
		return s.Str()
	}
	var sum string
	s.Object(func(k []byte) {
		if string(k) == "checksum" {
			sum = s.Str()
		} else {
			s.Skip()
		}
	})
	return sum
}

// owner reads an exposure's or group's owner: its name, else its email; or a plain value.
func (d *nodeDecoder) owner() string {
	s := &d.s
	if s.Peek() != '{' {
		v, _ := s.Text()
		return v
	}
	var name, email string
	s.Object(func(k []byte) {
		switch string(k) {
		case "name":
			name = s.Str()
		case "email":
			email = s.Str()
		default:
			s.Skip()
		}
	})
	if name == "" {
		return email
	}
	return name
}

func (d *nodeDecoder) contract(n *Node) {
	s := &d.s
	s.Object(func(k []byte) {
		switch string(k) {
		case "enforced":
			n.ContractEnf = s.Bool()
		case "checksum":
			n.ContractChecksum = s.Str()
		default:
			s.Skip()
		}
	})
}

// settle applies what decode kept for the end, and fills in what old manifests leave out.
func (d *nodeDecoder) settle(n *Node, late *nodeLate) {
	if late.access != "" {
		n.Config.Access = late.access
	}
	if late.group != "" {
		n.Config.Group = late.group
	}
	if n.TestMetadata != nil && n.TestMetadata.Column == "" {
		n.TestMetadata.Column = late.testColumn
	}
	metaKinds := late.metaKinds
	if len(n.Meta) == 0 && len(late.cfgMeta) > 0 {
		n.Meta, metaKinds = late.cfgMeta, late.cfgMetaKinds
	}
	if len(metaKinds) > 0 {
		// Meta kinds join the config's kinds under "meta.<key>", in a map shared by every node
		// with the same combination.
		kv := d.kv[:0]
		for k, v := range n.Config.Kinds {
			kv = append(kv, [2]string{k, v})
		}
		for k, v := range metaKinds {
			kv = append(kv, [2]string{"meta." + k, v})
		}
		n.Config.Kinds = d.shareMap(kv)
		d.kv = kv[:0]
	}
	if n.Owner == "" && n.Meta != nil {
		n.Owner = n.Meta["owner"]
	}
	if n.ResourceType == "" {
		// Very old manifests omit resource_type on some members; the unique id starts with it.
		if i := strings.IndexByte(n.UniqueID, '.'); i > 0 {
			n.ResourceType = n.UniqueID[:i]
		}
	}
}

// config decodes a node's config: known keys into fields, the rest flattened into Extra
// ("docs.show" → "true"), with the kind of each non-string value in Kinds. null, empty lists
// and empty objects are left out: no selector value can match them. It returns config.meta
// flattened, and the kinds of its values.
func (d *nodeDecoder) config(c *NodeConfig, n *Node) (meta, metaKinds map[string]string) {
	s := &d.s
	extra := d.kv[:0]
	kinds := d.kinds[:0]
	put := func(k, v, kind string) {
		extra = append(extra, [2]string{k, v})
		if kind != "" {
			kinds = append(kinds, [2]string{k, kind})
		}
	}
	var flatten func(prefix string)
	flatten = func(prefix string) {
		s.Object(func(k []byte) {
			key := prefix + s.InternBytes(k)
			if s.Peek() == '{' {
				flatten(key + ".")
				return
			}
			kind := jsonKind(s.Peek())
			if v, ok := s.Text(); ok && v != "[]" {
				put(key, v, kind)
			}
		})

	}
	s.Object(func(key []byte) {
		switch k := string(key); k {
		case "materialized":
			c.Materialized = s.InternedStr()
		case "schema":
			c.Schema = s.InternedStr()
		case "database":
			c.Database = s.InternedStr()
		case "alias":
			c.Alias = s.Str()
		case "enabled":
			c.Enabled = s.Bool()
		case "severity":
			c.Severity = s.InternedStr()
		case "group":
			c.Group = s.InternedStr()
		case "access":
			c.Access = s.InternedStr()
		case "tags":
			c.Tags = s.Strs()
		case "meta":
			meta, metaKinds = d.flatMap()
		case "contract":
			s.Object(func(ck []byte) {
				ckey := "contract." + s.InternBytes(ck)
				if string(ck) == "enforced" {
					v := s.Bool()
					n.ContractEnf = n.ContractEnf || v
					put(ckey, strconv.FormatBool(v), KindBoolean)
					return
				}
				kind := jsonKind(s.Peek())
				if v, ok := s.Text(); ok && v != "[]" && v != "{}" {
					put(ckey, v, kind)
				}
			})

		default:
			if s.Peek() == '{' {
				flatten(s.InternBytes(key) + ".")
				return
			}
			kind := jsonKind(s.Peek())
			if v, ok := s.Text(); ok && v != "[]" {
				put(s.InternBytes(key), v, kind)
			}
		}
	})

	c.Extra = d.shareMap(extra)
	c.Kinds = d.shareMap(kinds)
	d.kv = extra[:0]
	d.kinds = kinds[:0]
	return meta, metaKinds
}

// shareMap returns the map of these pairs, reusing an earlier identical map when there is one;
// a new map is allocated only for a new combination.
func (d *nodeDecoder) shareMap(kv [][2]string) map[string]string {
	if len(kv) == 0 {
		return nil
	}
	// Order-independent hash: the sum of per-pair FNV-1a hashes.
	var h uint64
	for _, p := range kv {
		x := uint64(14695981039346656037)
		for i := 0; i < len(p[0]); i++ {
			x = (x ^ uint64(p[0][i])) * 1099511628211
		}
		x = (x ^ 0xff) * 1099511628211
		for i := 0; i < len(p[1]); i++ {
			x = (x ^ uint64(p[1][i])) * 1099511628211
		}
		h += x
	}
next:
	for _, prev := range d.maps[h] {
		if len(prev) != len(kv) {
			continue
		}
		for _, p := range kv {
			if v, ok := prev[p[0]]; !ok || v != p[1] {
				continue next
			}
		}
		return prev
	}
	m := make(map[string]string, len(kv))
	for _, p := range kv {
		m[p[0]] = p[1]
	}
	d.maps[h] = append(d.maps[h], m)
	return m
}

// flatMap reads an object of any values into strings (nested values as compact JSON), and
// the kinds of the values that are not strings.
func (d *nodeDecoder) flatMap() (m, kinds map[string]string) {
	s := &d.s
	s.Object(func(k []byte) {
		kind := jsonKind(s.Peek())
		v, ok := s.Text()
		if !ok {
			return
		}
		if m == nil {
			m = make(map[string]string, 4)
		}
		key := s.InternBytes(k)
		m[key] = v
		if kind != "" {
			if kinds == nil {
				kinds = make(map[string]string, 2)
			}
			kinds[key] = kind
		}
	})

	return m, kinds
}

func (d *nodeDecoder) columns() []Column {
	s := &d.s
	var cols []Column
	s.Object(func(k []byte) {
		c := Column{}
		if s.Peek() != '{' {
			s.Skip()
			return
		}
		s.Object(func(ck []byte) {
			switch string(ck) {
			case "name":
				c.Name = s.Str()
			case "description":
				c.Description = s.Str()
			case "data_type":
				c.DataType = s.InternedStr()
			default:
				s.Skip()
			}
		})

		if c.Name == "" {
			c.Name = string(k)
		}
		cols = append(cols, c)
	})

	return cols
}

// unrendered reads unrendered_config and returns a hash of it that does not depend on the
// order of its top-level keys, plus its database, schema and alias values joined by NUL. Values
// are hashed as written: both manifests of a state comparison come from dbt's own serializer,
// so equal nested values are written the same way.
func (d *nodeDecoder) unrendered() (hash, relation string) {
	s := &d.s
	if s.Peek() != '{' {
		s.Skip()
		return "", ""
	}
	var rel [3]string
	var sum uint64
	s.Object(func(k []byte) {
		val := s.RawValue()
		x := fnvBytes(fnvBytes(14695981039346656037, k), []byte{0})
		sum += fnvBytes(x, val)
		switch string(k) {
		case "database":
			rel[0] = string(val)
		case "schema":
			rel[1] = string(val)
		case "alias":
			rel[2] = string(val)
		}
	})

	if rel != [3]string{} {
		relation = rel[0] + "\x00" + rel[1] + "\x00" + rel[2]
	}
	return strconv.FormatUint(sum, 16), relation
}

// fnvBytes continues an FNV-1a hash over b.
func fnvBytes(h uint64, b []byte) uint64 {
	for _, c := range b {
		h = (h ^ uint64(c)) * 1099511628211
	}
	return h
}

// sqlSource locates each node's JSON object in the manifest file, so SQL can be read back
// without keeping it in memory.
type sqlSource struct {
	path  string
	size  int64
	mtime time.Time
	spans [][2]int64 // per node index: [start, end) byte offsets
}

// SQL returns a node's raw SQL (as written, with Jinja) or, with compiled set, its compiled SQL.
// For a graph read from a manifest both come from the manifest file (compiled SQL is there only
// for nodes the last dbt command compiled); for a quick-parsed graph raw SQL is read from the
// node's file and compiled SQL is not available.
func (g *Graph) SQL(uniqueID string, compiled bool) (string, error) {
	i, ok := g.Index(uniqueID)
	if !ok {
		return "", fmt.Errorf("no node %s", uniqueID)
	}
	n := &g.Nodes[i]
	if g.sql != nil && i < len(g.sql.spans) {
		code, found, err := g.sql.read(i, compiled)
		if err != nil {
			return "", err
		}
		if found {
			return code, nil
		}
		if compiled {
			return "", fmt.Errorf("%s has no compiled SQL in the manifest: run dbt compile --select %s", uniqueID, n.Name)
		}
		// Fall back to the file itself: <project>/target/manifest.json → <project>/<file>.
		return readNodeFile(filepath.Dir(filepath.Dir(g.sql.path)), n)
	}
	if compiled {
		return "", fmt.Errorf("compiled SQL needs a dbt manifest: run dbt compile --select %s", n.Name)
	}
	if g.Origin.Kind == OriginQuickParse {
		return readNodeFile(g.Origin.Path, n)
	}
	return "", fmt.Errorf("no SQL is available for %s", uniqueID)
}

func readNodeFile(projectDir string, n *Node) (string, error) {
	if n.OriginalPath == "" || strings.HasSuffix(n.OriginalPath, ".yml") || strings.HasSuffix(n.OriginalPath, ".yaml") {
		return "", fmt.Errorf("%s is defined in YAML and has no SQL file", n.UniqueID)
	}
	b, err := os.ReadFile(filepath.Join(projectDir, filepath.FromSlash(n.OriginalPath)))
	if err != nil {
		return "", err
	}
	return string(b), nil
}

func (src *sqlSource) read(i int, compiled bool) (string, bool, error) {
	sp := src.spans[i]
	if sp[1] <= sp[0] {
		return "", false, nil
	}
	f, err := os.Open(src.path)
	if err != nil {
		return "", false, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", false, err
	}
	if st.Size() != src.size || !st.ModTime().Equal(src.mtime) {
		return "", false, fmt.Errorf("%s changed since it was loaded; reload the lineage", src.path)
	}
	buf := make([]byte, sp[1]-sp[0])
	if _, err := f.ReadAt(buf, sp[0]); err != nil {
		return "", false, err
	}
	want1, want2 := "raw_code", "raw_sql"
	if compiled {
		want1, want2 = "compiled_code", "compiled_sql"
	}
	var code string
	found := false
	err = func() (err error) {
		defer jsonscan.Catch(&err)
		s := jsonscan.New(buf)
		s.Object(func(k []byte) {
			if key := string(k); (key == want1 || key == want2) && s.Peek() == '"' {
				code, found = s.Str(), true
			} else {
				s.Skip()
			}
		})

		return nil
	}()
	if err != nil {
		return "", false, fmt.Errorf("%s: %w", src.path, err)
	}
	return code, found, nil
}

// LoadOptions steer LoadManifest and project.LoadProject.
type LoadOptions struct {
	// CacheDir holds the manifest index cache (the workspace's state dir); "" disables caching.
	CacheDir string
	// PreferManifest uses the manifest even when project files are newer than it (marking the
	// graph Stale) instead of quick-parsing the files.
	PreferManifest bool
	// QuickParseOnly ignores any manifest.
	QuickParseOnly bool
	// WriteCacheAside has LoadManifest return as soon as the manifest is decoded and write its
	// index cache on another goroutine, for a one-shot command that goes on with its own work
	// meanwhile (ls selects and prints while the cache is encoded on the other core). The graph
	// must not be changed until Graph.WaitCache returns, and the process must call it before it
	// exits, or the cache may be cut short (and rebuilt by the next start).
	WriteCacheAside bool
	// OneShot is for a command that keeps the graph until it exits soon after (ls, completion):
	// a graph read from the index cache is laid out for a fast start rather than a long
	// session. Its large slabs are put on huge pages (makeSlab), and the end of the decode
	// starts no collection of the graph it made (spareGraph).
	OneShot bool
}
