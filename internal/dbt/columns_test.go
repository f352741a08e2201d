package dbt

import (
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/datatui/datatui/internal/dbt/dbttest"
	"github.com/datatui/datatui/internal/testutil/fixtures"
)

const allFields = FieldID | FieldName | FieldType | FieldPackage | FieldSource | FieldVersion | FieldFQN | FieldTags | FieldPaths | FieldConfig | FieldTest

// assertColumnsOf fails unless c holds exactly g's selection fields, edges, order and origin.
func assertColumnsOf(t *testing.T, g *Graph, c *Columns) {
	t.Helper()
	if c.Len() != g.Len() {
		t.Fatalf("%d nodes in the columns, %d in the graph", c.Len(), g.Len())
	}
	o := c.Origin()
	if o.DBTVersion != g.Origin.DBTVersion || o.SchemaVersion != g.Origin.SchemaVersion || o.ProjectName != g.Origin.ProjectName || o.SchemaWarning != g.Origin.SchemaWarning {
		t.Fatalf("origin %+v, graph's %+v", o, g.Origin)
	}
	if !slices.Equal(c.ByID(), byUniqueID(g)) {
		t.Fatal("unique-id order differs")
	}
	r := c.Reader(allFields)
	members := c.Members()
	for i := range g.Nodes {
		if members[i/64]&(1<<(i%64)) != 0 != g.Nodes[i].GraphMember() {
			t.Fatalf("node %d: member bit differs", i)
		}
		want, got := &g.Nodes[i], r.Node(i)
		if stringFields(got) != stringFields(want) {
			t.Fatalf("node %d: %q, graph's %q", i, stringFields(got), stringFields(want))
		}
		for _, l := range [][2][]string{{got.FQN, want.FQN}, {got.Tags, want.Tags}, {got.Config.Tags, want.Config.Tags}} {
			if !slices.Equal(l[0], l[1]) {
				t.Fatalf("node %d: list %q, graph's %q", i, l[0], l[1])
			}
		}
		if got.Config.Enabled != want.Config.Enabled || got.Disabled != want.Disabled || (got.TestMetadata == nil) != (want.TestMetadata == nil) ||
			c.Member(i) != want.GraphMember() || c.ParentsComplete(i) != g.ParentsComplete(i) || c.ResourceType(i) != want.ResourceType || c.UniqueID(i) != want.UniqueID {
			t.Fatalf("node %d (%s): flags differ", i, want.UniqueID)
		}
		if !slices.Equal(c.Parents(i), g.Parents(i)) || !slices.Equal(c.Children(i), g.Children(i)) {
			t.Fatalf("node %d: edges differ", i)
		}
		loose := want.Version != ""
		for _, part := range want.FQN {
			loose = loose || strings.Contains(part, ".")
		}
		if c.flag(i, nodeFQNLoose) != loose {
			t.Fatalf("node %d (%s): FQNLoose %v, want %v", i, want.UniqueID, c.flag(i, nodeFQNLoose), loose)
		}
	}
	// Every fqn part and tag is found, and holds exactly for the nodes whose list holds it.
	for _, l := range []struct {
		list List
		of   func(n *Node) []string
	}{{ListFQN, func(n *Node) []string { return n.FQN }}, {ListTags, func(n *Node) []string { return n.Tags }}} {
		seen := map[string]bool{}
		for i := range g.Nodes {
			for _, s := range l.of(&g.Nodes[i]) {
				if s == "" || seen[s] {
					continue
				}
				seen[s] = true
				if _, found := c.lookup(s); !found {
					t.Fatalf("%q (list %d of node %d) not in the dictionary", s, l.list, i)
				}
				holding := c.Holding(l.list, s)
				for j := range g.Nodes {
					if has := holding[j/64]&(1<<(j%64)) != 0; has != slices.Contains(l.of(&g.Nodes[j]), s) {
						t.Fatalf("list %d holding %q: node %d says %v", l.list, s, j, has)
					}
				}
			}
		}
	}
	for _, s := range []string{"not a part of any fqn", "x"} {
		if _, found := c.lookup(s); found {
			t.Fatalf("%q found in the dictionary", s)
		}
		for _, w := range c.Holding(ListTags, s) {
			if w != 0 {
				t.Fatalf("nodes holding %q, found in no list", s)
			}
		}
	}
	// The fqn candidates are the nodes holding the part and the loose ones.
	if len(g.Nodes) > 0 && len(g.Nodes[0].FQN) > 0 {
		first := g.Nodes[0].FQN[0]
		cand, holding := c.FQNCandidates(first), c.Holding(ListFQN, first)
		for j := range g.Nodes {
			want := holding[j/64]&(1<<(j%64)) != 0 || c.flag(j, nodeFQNLoose)
			if got := cand[j/64]&(1<<(j%64)) != 0; got != want {
				t.Fatalf("fqn candidates of %q: node %d says %v, want %v", first, j, got, want)
			}
		}
	}
	if c.Damaged() {
		t.Fatal("good columns read as damaged")
	}
}

// TestColumnsRoundTrip: the columns written beside every real manifest's index read back as the
// graph's fields, from the file (trusted while the manifest is unchanged) and from memory.
func TestColumnsRoundTrip(t *testing.T) {
	settled(t)
	paths := []string{dbttest.ShopManifest(t)}
	for _, p := range []string{"real-dbt/jaffle-parse/manifest.json", "real-dbt/demo-parse/manifest.json", "manifests/tuva-dbt1.7/manifest.json",
		"manifests/fivetran-hubspot-dbt1.8/manifest.json", "manifests/jaffle-shop-dbt1.11/manifest.json"} {
		paths = append(paths, fixtures.Path(t, p))
	}
	for _, path := range paths {
		t.Run(filepath.Base(filepath.Dir(path)), func(t *testing.T) {
			dir := t.TempDir()
			g, err := LoadManifest(path, LoadOptions{CacheDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			c, ok := OpenColumns(path, dir)
			if !ok {
				t.Fatal("columns written with the index not opened")
			}
			defer c.Close()
			assertColumnsOf(t, g, c)
			mem, err := ColumnsOf(g)
			if err != nil {
				t.Fatal(err)
			}
			assertColumnsOf(t, g, mem)
		})
	}
}

// TestColumnsTrust: columns are used only for the manifest as it was written from, and written
// again by the next load of the index when they are missing.
func TestColumnsTrust(t *testing.T) {
	settled(t)
	path, cache := shopCopy(t)
	dir := filepath.Dir(path)
	if _, err := LoadManifest(path, LoadOptions{CacheDir: cache}); err != nil {
		t.Fatal(err)
	}
	if c, ok := OpenColumns(path, cache); !ok {
		t.Fatal("fresh columns not trusted")
	} else {
		c.Close()
	}
	// Rewritten with the same bytes: a new stamp.
	later := time.Now().Add(-time.Minute)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	if c, ok := OpenColumns(path, cache); ok {
		c.Close()
		t.Fatal("columns trusted after the manifest's mtime changed")
	}
	if _, ok := OpenColumns(filepath.Join(dir, "other.json"), cache); ok {
		t.Fatal("columns opened for a manifest that does not exist")
	}
	// The next load decodes, writes both again, and they are trusted.
	g, err := LoadManifest(path, LoadOptions{CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	c, ok := OpenColumns(path, cache)
	if !ok {
		t.Fatal("columns not written again")
	}
	c.Close()
	// Removed, they are written again by a warm load of the index.
	if err := os.Remove(columnsFile(path, cache)); err != nil {
		t.Fatal(err)
	}
	if warmFromCache(t, path, cache) == nil {
		t.Fatal("index not used")
	}
	c, ok = OpenColumns(path, cache)
	if !ok {
		t.Fatal("columns not written by a warm load")
	}
	defer c.Close()
	assertColumnsOf(t, g, c)
}

// TestColumnsRacy: columns of a manifest just written are trusted only after the whole
// manifest is hashed, and rewritten settled once it is old enough.
func TestColumnsRacy(t *testing.T) {
	src, err := os.ReadFile(dbttest.ShopManifest(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "manifest.json")
	cache := filepath.Join(dir, "cache")
	if err := os.WriteFile(path, src, 0o644); err != nil { // just written: racy
		t.Fatal(err)
	}
	g, err := LoadManifest(path, LoadOptions{CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	header := func() cacheHeader {
		b, err := os.ReadFile(columnsFile(path, cache))
		if err != nil {
			t.Fatal(err)
		}
		c := &Columns{data: b}
		if _, ok := c.readHead(); !ok {
			t.Fatal("columns head rejected")
		}
		return c.header
	}
	if !header().racy {
		t.Fatal("columns of a fresh manifest not racy")
	}
	c, ok := OpenColumns(path, cache)
	if !ok {
		t.Fatal("racy columns of an unchanged manifest not trusted")
	}
	c.Close()
	// The same size, stamp and sampled blocks cannot hide a change inside the window: the
	// whole file is hashed.
	mid := len(src) / 2
	for src[mid] == ' ' || src[mid] == '"' {
		mid++
	}
	changed := slices.Clone(src)
	changed[mid] ^= 1
	st, _ := os.Stat(path)
	if err := os.WriteFile(path, changed, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, st.ModTime(), st.ModTime()); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, src, 0o644); err != nil {
		t.Fatal(err)
	}
	if c, ok := OpenColumns(path, cache); ok {
		// The stamp moved (ctime), so the columns are not trusted; both outcomes must agree
		// with the index's rules.
		c.Close()
		if warmFromCache(t, path, cache) == nil {
			t.Fatal("columns trusted where the index is not")
		}
	}
	if _, err := LoadManifest(path, LoadOptions{CacheDir: cache}); err != nil {
		t.Fatal(err)
	}
	settled(t)
	c, ok = OpenColumns(path, cache)
	if !ok {
		t.Fatal("columns not trusted once settled")
	}
	defer c.Close()
	assertColumnsOf(t, g, c)
	if header().racy {
		t.Fatal("columns not rewritten as settled")
	}
}

// sealColumns recomputes every section CRC, the blob's block CRCs and the head CRC of a
// columns file, so a damaged file reaches the structure checks behind them.
func sealColumns(b []byte) []byte {
	c := &Columns{data: b}
	pre := len(columnsMagic) + 1 + 4
	if len(b) < pre {
		return b
	}
	headLen := int(binary.LittleEndian.Uint32(b[len(columnsMagic)+1:]))
	end := pre + headLen
	if end+4 > len(b) || headLen < numSections*20 {
		return b
	}
	binary.LittleEndian.PutUint32(b[end:], crc32.Checksum(b[:end], castagnoli()))
	if _, ok := c.readHead(); !ok {
		return b
	}
	if crcs := blockCRCs(&c.sec); len(crcs) == len(c.sec[secBlockCRC]) {
		copy(c.sec[secBlockCRC], crcs)
	}
	table := end - numSections*20
	for k := range c.sec {
		binary.LittleEndian.PutUint32(b[table+20*k+16:], crcParallel(c.sec[k]))
	}
	binary.LittleEndian.PutUint32(b[end:], crc32.Checksum(b[:end], castagnoli()))
	return b
}

// readAllColumns reads everything c holds the way selection and ls do.
func readAllColumns(c *Columns) {
	r := c.Reader(allFields)
	_ = c.Members()
	for _, i := range c.ByID() {
		r.Node(int(i))
	}
	for i := range c.Len() {
		if c.Damaged() {
			return
		}
		n := r.Node(i)
		for _, s := range append(slices.Clone(n.FQN), n.Tags...) {
			_ = c.Holding(ListFQN, s)
		}
		_ = c.Member(i) || c.ParentsComplete(i) || c.flag(i, nodeFQNLoose)
		for _, p := range c.Parents(i) {
			_ = c.ResourceType(int(p))
		}
		for _, p := range c.Children(i) {
			_ = c.UniqueID(int(p))
		}
	}
}

// shopColumns are the shop manifest's columns, built in memory.
func shopColumns(tb testing.TB) *Columns {
	tb.Helper()
	g, err := LoadManifest(dbttest.ShopManifest(tb), LoadOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	c, err := ColumnsOf(g)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// FuzzColumns: a damaged or made-up columns file never panics and never reads out of bounds,
// whether its CRCs catch the damage or (sealed again) only its structure checks do; a file that
// passes them reads nodes whose strings lie inside the file.
func FuzzColumns(f *testing.F) {
	good := shopColumns(f)
	f.Add(good.data, false)
	f.Add(good.data, true)
	f.Add([]byte(columnsMagic), true)
	f.Fuzz(func(t *testing.T, b []byte, seal bool) {
		b = slices.Clone(b)
		if seal {
			b = sealColumns(b)
		}
		c := &Columns{data: b}
		if _, ok := c.readHead(); !ok || !c.origin0() {
			return
		}
		readAllColumns(c)
	})
}

// TestColumnsDamageFound: a byte damaged anywhere in a section is found when the section (or
// the block of strings) is read, with the CRCs and, sealed again, by the structure checks or
// by reading values that still lie in range.
func TestColumnsDamageFound(t *testing.T) {
	good := shopColumns(t)
	end := len(columnsMagic) + 1 + 4 + int(binary.LittleEndian.Uint32(good.data[len(columnsMagic)+1:]))
	table, start := end-numSections*20, align8(end+4)
	for k, sec := range good.sec {
		if len(sec) == 0 {
			continue
		}
		off := start + int(binary.LittleEndian.Uint64(good.data[table+20*k:]))
		b := slices.Clone(good.data)
		b[off+len(sec)/2] ^= 0x10
		c := &Columns{data: b}
		if _, ok := c.readHead(); !ok {
			t.Fatalf("section %d: head rejected for damage outside it", k)
		}
		if c.origin0() {
			readAllColumns(c)
		}
		if !c.Damaged() && k != secOrigin {
			t.Errorf("section %d: damage not found", k)
		}
	}
}
