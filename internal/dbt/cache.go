package dbt

// The manifest index cache.
//
// Decoding a 90 MB manifest takes a few hundred milliseconds; the index datatui keeps is a few
// MB. LoadManifest therefore writes the decoded index to <CacheDir>/manifest-<hash of path>.idx
// and reuses it while the manifest is unchanged.
//
// Validity: the cache records the manifest's size, modification time and a CRC-32C of each
// half of its contents. A cache is used only when all of them match. Size and mtime alone are
// not enough (a copy with preserved times, an editor that restores mtime, a clock step), so the
// contents are always hashed in full; CRC-32C runs in hardware at >8 GB/s (≈11 ms of CPU for
// 90 MB, read through a small buffer so it costs no memory), cheap next to decoding, and the two
// halves are hashed on two cores while the cache is decoded. A changed manifest of the same size
// and mtime passes for the cached one with a probability of about 2^-32: fine for telling
// dbt's rewrites apart (each one also changes invocation_id and generated_at), not meant to
// resist a deliberately crafted collision.
//
// Format (little endian, varints as in encoding/binary): magic "DTUIIDX", format version byte,
// manifest size, mtime (unix ns), CRC-32C of each half of the manifest (so two cores hash it);
// then a payload: a string table (every distinct
// string once), a table of distinct config/meta maps, the origin, and each node as string-table
// indexes; finally a CRC-32C of everything before it, so a truncated or corrupt cache is
// detected and rebuilt. Decoding slices all strings out of one buffer: no per-string allocation.

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"unsafe"

	"github.com/datatui/datatui/internal/atomicfile"
)

const (
	cacheMagic   = "DTUIIDX"
	cacheVersion = 3
)

// castagnoli is built on first use, not at process start.
var castagnoli = sync.OnceValue(func() *crc32.Table { return crc32.MakeTable(crc32.Castagnoli) })

// cacheFile is where the index of the manifest at path is cached.
func cacheFile(path, dir string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(dir, "manifest-"+hex.EncodeToString(sum[:8])+".idx")
}

// fileCRC returns the CRC-32C of n bytes of a file from offset off, read through a small
// buffer. (Mapping the file instead was measured slower: page faults cost more than read()'s
// copy.)
func fileCRC(path string, off, n int64) (uint32, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r := io.NewSectionReader(f, off, n)
	buf := make([]byte, 512<<10)
	var crc uint32
	for {
		k, err := r.Read(buf)
		crc = crc32.Update(crc, castagnoli(), buf[:k])
		if err == io.EOF {
			return crc, nil
		}
		if err != nil {
			return 0, err
		}
	}
}

// halves splits a file of size bytes in two for hashing on two cores.
func halves(size int64) [2][2]int64 {
	h := size / 2
	return [2][2]int64{{0, h}, {h, size - h}}
}

// readCachedIndex returns the cached graph of the manifest, or nil when there is no valid cache.
func readCachedIndex(path string, st fs.FileInfo, dir string) *Graph {
	data, err := os.ReadFile(cacheFile(path, dir))
	if err != nil {
		return nil
	}
	r := &cacheReader{b: data}
	size, mtime, crcs, ok := r.header()
	if !ok || size != st.Size() || mtime != st.ModTime().UnixNano() {
		return nil
	}
	// Both halves of the manifest are hashed while the index is decoded.
	crcDone := make(chan bool, 2)
	for k, part := range halves(size) {
		go func() {
			got, err := fileCRC(path, part[0], part[1])
			crcDone <- err == nil && got == crcs[k]
		}()
	}
	g := r.graph(path)
	ok1, ok2 := <-crcDone, <-crcDone
	if !ok1 || !ok2 || g == nil {
		return nil
	}
	return g
}

// writeCachedIndex writes g's index atomically, readable by the user only.
func writeCachedIndex(g *Graph, path string, st fs.FileInfo, data []byte, dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	// The CRC of the manifest runs on another core while the index is encoded.
	crcc := make(chan [2]uint32, 1)
	go func() {
		var crcs [2]uint32
		for k, part := range halves(int64(len(data))) {
			crcs[k] = crc32.Checksum(data[part[0]:part[0]+part[1]], castagnoli())
		}
		crcc <- crcs
	}()
	w := newCacheWriter(g.Len())
	buf := w.encode(g, st.Size(), st.ModTime().UnixNano(), crcc)
	_, err := atomicfile.Write(cacheFile(path, dir), buf, atomicfile.Options{Perm: 0o600})
	return err
}

type cacheWriter struct {
	strs   []string
	ids    map[string]uint32
	maps   []map[string]string
	mapIDs map[string]uint32
	mapPtr map[uintptr]uint32
	body   []byte
}

func newCacheWriter(nodes int) *cacheWriter {
	w := &cacheWriter{
		ids:    make(map[string]uint32, nodes*8),
		mapIDs: map[string]uint32{},
		mapPtr: map[uintptr]uint32{},
		body:   make([]byte, 0, nodes*64),
	}
	w.strs = append(w.strs, "") // id 0
	return w
}

func (w *cacheWriter) str(s string) {
	if s == "" {
		w.body = append(w.body, 0)
		return
	}
	id, ok := w.ids[s]
	if !ok {
		id = uint32(len(w.strs))
		w.ids[s] = id
		w.strs = append(w.strs, s)
	}
	w.body = binary.AppendUvarint(w.body, uint64(id))
}

func (w *cacheWriter) num(n uint64) { w.body = binary.AppendUvarint(w.body, n) }

func (w *cacheWriter) list(l []string) {
	if l == nil {
		w.num(0)
		return
	}
	w.num(uint64(len(l)) + 1)
	for _, s := range l {
		w.str(s)
	}
}

// mapRef writes a reference to a distinct map (0 = nil).
func (w *cacheWriter) mapRef(m map[string]string) {
	if len(m) == 0 {
		w.num(0)
		return
	}
	// Maps shared between nodes are looked up by identity first.
	ptr := *(*uintptr)(unsafe.Pointer(&m))
	if id, ok := w.mapPtr[ptr]; ok {
		w.num(uint64(id))
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sb strings.Builder
	for _, k := range keys {
		sb.WriteString(k)
		sb.WriteByte(0)
		sb.WriteString(m[k])
		sb.WriteByte(0)
	}
	id, ok := w.mapIDs[sb.String()]
	if !ok {
		w.maps = append(w.maps, m)
		id = uint32(len(w.maps))
		w.mapIDs[sb.String()] = id
	}
	w.mapPtr[ptr] = id
	w.num(uint64(id))
}

func (w *cacheWriter) encode(g *Graph, size, mtime int64, crcc <-chan [2]uint32) []byte {
	o := &g.Origin
	w.str(o.DBTVersion)
	w.num(uint64(o.SchemaVersion))
	w.str(o.ProjectName)
	w.list(o.Warnings)
	w.num(uint64(len(g.Nodes)))
	// Totals let the reader allocate all lists and columns in two blocks.
	totalList, totalCols := 0, 0
	for i := range g.Nodes {
		n := &g.Nodes[i]
		totalList += len(n.FQN) + len(n.Tags) + len(n.Config.Tags) + len(n.DependsOn)
		totalCols += len(n.Columns)
	}
	w.num(uint64(totalList))
	w.num(uint64(totalCols))
	for i := range g.Nodes {
		n := &g.Nodes[i]
		for _, s := range [...]string{n.UniqueID, n.Name, n.ResourceType, n.Package, n.Path, n.OriginalPath, n.PatchPath,
			n.Description, n.Database, n.Schema, n.Alias, n.Version, n.SourceName, n.AttachedNode, n.Checksum, n.Owner,
			n.Label, n.ExposureType, n.URL, n.RelationName, n.UnrenderedHash, n.LatestVersion, n.UnrenderedRelation,
			n.ContractChecksum,
			n.Config.Materialized, n.Config.Schema, n.Config.Database, n.Config.Alias, n.Config.Severity,
			n.Config.Group, n.Config.Access} {
			w.str(s)
		}
		w.list(n.FQN)
		w.list(n.Tags)
		w.list(n.Config.Tags)
		w.list(n.DependsOn)
		w.mapRef(n.Config.Extra)
		w.mapRef(n.Meta)
		var flags uint64
		for bit, on := range [...]bool{n.Disabled, n.ContractEnf, n.Config.Enabled, n.TestMetadata != nil, n.Columns != nil} {
			if on {
				flags |= 1 << bit
			}
		}
		w.num(flags)
		if n.TestMetadata != nil {
			w.str(n.TestMetadata.Name)
			w.str(n.TestMetadata.Namespace)
			w.str(n.TestMetadata.Column)
		}
		if n.Columns != nil {
			w.num(uint64(len(n.Columns)))
			for _, c := range n.Columns {
				w.str(c.Name)
				w.str(c.Description)
				w.str(c.DataType)
			}
		}
		if g.sql != nil && i < len(g.sql.spans) {
			w.num(uint64(g.sql.spans[i][0]))
			w.num(uint64(g.sql.spans[i][1] - g.sql.spans[i][0]))
		} else {
			w.num(0)
			w.num(0)
		}
	}
	// The map table refers to strings too, so it is written into the body's string table first.
	nodes := w.body
	w.body = nil
	w.num(uint64(len(w.maps)))
	for _, m := range w.maps {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		w.num(uint64(len(keys)))
		for _, k := range keys {
			w.str(k)
			w.str(m[k])
		}
	}
	mapsPart := w.body

	out := []byte(cacheMagic)
	out = append(out, cacheVersion)
	out = binary.AppendUvarint(out, uint64(size))
	out = binary.AppendVarint(out, mtime)
	crcs := <-crcc
	out = binary.LittleEndian.AppendUint32(out, crcs[0])
	out = binary.LittleEndian.AppendUint32(out, crcs[1])
	// String table: lengths first, then all bytes in one block.
	out = binary.AppendUvarint(out, uint64(len(w.strs)))
	total := 0
	for _, s := range w.strs {
		out = binary.AppendUvarint(out, uint64(len(s)))
		total += len(s)
	}
	out = binary.AppendUvarint(out, uint64(total))
	for _, s := range w.strs {
		out = append(out, s...)
	}
	out = append(out, mapsPart...)
	out = append(out, nodes...)
	return binary.LittleEndian.AppendUint32(out, crc32.Checksum(out, castagnoli()))
}

// cacheReader decodes a cache; any inconsistency makes it return nil (rebuild).
type cacheReader struct {
	b    []byte
	i    int
	bad  bool
	strs []string
	maps []map[string]string
	// listSlab and colSlab are the remaining parts of one allocation each for all lists and
	// columns.
	listSlab []string
	colSlab  []Column
}

func (r *cacheReader) header() (size, mtime int64, crcs [2]uint32, ok bool) {
	if len(r.b) < len(cacheMagic)+1+4 || !bytes.HasPrefix(r.b, []byte(cacheMagic)) || r.b[len(cacheMagic)] != cacheVersion {
		return 0, 0, crcs, false
	}
	body := r.b[:len(r.b)-4]
	if crc32.Checksum(body, castagnoli()) != binary.LittleEndian.Uint32(r.b[len(r.b)-4:]) {
		return 0, 0, crcs, false
	}
	r.b = body
	r.i = len(cacheMagic) + 1
	size = int64(r.num())
	mtime, n := binary.Varint(r.b[r.i:])
	if n <= 0 {
		return 0, 0, crcs, false
	}
	r.i += n
	if r.i+8 > len(r.b) {
		return 0, 0, crcs, false
	}
	crcs[0] = binary.LittleEndian.Uint32(r.b[r.i:])
	crcs[1] = binary.LittleEndian.Uint32(r.b[r.i+4:])
	r.i += 8
	return size, mtime, crcs, !r.bad
}

func (r *cacheReader) num() uint64 {
	v, n := binary.Uvarint(r.b[min(r.i, len(r.b)):])
	if n <= 0 {
		r.bad = true
		r.i = len(r.b)
		return 0
	}
	r.i += n
	return v
}

func (r *cacheReader) str() string {
	id := r.num()
	if id >= uint64(len(r.strs)) {
		r.bad = true
		return ""
	}
	return r.strs[id]
}

func (r *cacheReader) list() []string {
	n := r.num()
	if n == 0 {
		return nil
	}
	n--
	if n > uint64(len(r.listSlab)) {
		r.bad = true
		return nil
	}
	l := r.listSlab[:n:n]
	r.listSlab = r.listSlab[n:]
	for k := range l {
		l[k] = r.str()
	}
	return l
}

func (r *cacheReader) mapRef() map[string]string {
	id := r.num()
	if id == 0 {
		return nil
	}
	if id > uint64(len(r.maps)) {
		r.bad = true
		return nil
	}
	return r.maps[id-1]
}

func (r *cacheReader) graph(path string) *Graph {
	// String table.
	count := r.num()
	if count > uint64(len(r.b)) {
		return nil
	}
	lens := make([]uint64, count)
	for k := range lens {
		lens[k] = r.num()
	}
	total := r.num()
	if r.bad || total > uint64(len(r.b)-r.i) {
		return nil
	}
	// All strings share the cache buffer, which is never written to after this point.
	block := r.b[r.i : r.i+int(total)]
	r.i += int(total)
	all := ""
	if len(block) > 0 {
		all = unsafe.String(&block[0], len(block))
	}
	r.strs = make([]string, count)
	off := uint64(0)
	for k, l := range lens {
		if off+l > total {
			return nil
		}
		r.strs[k] = all[off : off+l]
		off += l
	}
	// Map table.
	nm := r.num()
	if nm > uint64(len(r.b)) {
		return nil
	}
	r.maps = make([]map[string]string, nm)
	for k := range r.maps {
		cnt := r.num()
		if cnt > uint64(len(r.b)) {
			return nil
		}
		m := make(map[string]string, cnt)
		for range cnt {
			key := r.str()
			m[key] = r.str()
		}
		r.maps[k] = m
	}
	var o Origin
	o.Kind = OriginManifest
	o.Path = path
	o.DBTVersion = r.str()
	o.SchemaVersion = int(r.num())
	o.ProjectName = r.str()
	o.Warnings = r.list()
	nn := r.num()
	totalList, totalCols := r.num(), r.num()
	if r.bad || nn > uint64(len(r.b)) || totalList > uint64(len(r.b)) || totalCols > uint64(len(r.b)) {
		return nil
	}
	r.listSlab = make([]string, totalList)
	r.colSlab = make([]Column, totalCols)
	nodes := make([]Node, nn)
	src := &sqlSource{path: path, spans: make([][2]int64, nn)}
	var fields [31]*string
	for i := range nodes {
		n := &nodes[i]
		fields = [...]*string{&n.UniqueID, &n.Name, &n.ResourceType, &n.Package, &n.Path, &n.OriginalPath, &n.PatchPath,
			&n.Description, &n.Database, &n.Schema, &n.Alias, &n.Version, &n.SourceName, &n.AttachedNode, &n.Checksum, &n.Owner,
			&n.Label, &n.ExposureType, &n.URL, &n.RelationName, &n.UnrenderedHash, &n.LatestVersion, &n.UnrenderedRelation,
			&n.ContractChecksum,
			&n.Config.Materialized, &n.Config.Schema, &n.Config.Database, &n.Config.Alias, &n.Config.Severity,
			&n.Config.Group, &n.Config.Access}
		for _, f := range fields {
			*f = r.str()
		}
		n.FQN = r.list()
		n.Tags = r.list()
		n.Config.Tags = r.list()
		n.DependsOn = r.list()
		n.Config.Extra = r.mapRef()
		n.Meta = r.mapRef()
		flags := r.num()
		n.Disabled = flags&1 != 0
		n.ContractEnf = flags&2 != 0
		n.Config.Enabled = flags&4 != 0
		if flags&8 != 0 {
			n.TestMetadata = &TestMetadata{Name: r.str(), Namespace: r.str(), Column: r.str()}
		}
		if flags&16 != 0 {
			nc := r.num()
			if nc > uint64(len(r.colSlab)) {
				return nil
			}
			n.Columns = r.colSlab[:nc:nc]
			r.colSlab = r.colSlab[nc:]
			for k := range n.Columns {
				n.Columns[k] = Column{Name: r.str(), Description: r.str(), DataType: r.str()}
			}
		}
		start := r.num()
		src.spans[i] = [2]int64{int64(start), int64(start + r.num())}
		if r.bad {
			return nil
		}
	}
	if r.i != len(r.b) {
		return nil
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil
	}
	src.size, src.mtime = st.Size(), st.ModTime()
	o.Built = st.ModTime()
	// NewGraph re-derives the dangling-edge warning; the stored warnings already hold it.
	g := NewGraph(nodes, Origin{})
	g.Origin = o
	g.sql = src
	return g
}
