package dbt

// The manifest index cache.
//
// Decoding a 90 MB manifest takes a few hundred milliseconds; the index datatui keeps is a few
// MB. LoadManifest therefore writes the decoded index to <CacheDir>/manifest-<hash of path>.idx
// and reuses it while the manifest is unchanged. Beside it go the selection columns
// (manifest-<hash>.sel, columns.go), which answer a new ls question without decoding the
// index, under the same header and the same trust rules.
//
// Validity, the way git trusts its index: a warm start must not read the whole manifest, so the
// cache is checked against the file's identity and metadata (size, modification time and
// status-change time in nanoseconds, device and inode), plus a CRC-32C of a few small blocks
// spread over the file (sampleCRC). Metadata catches every ordinary change: dbt rewriting the
// file (new mtime, usually a new inode), a touch, an editor restoring the mtime (the ctime still
// moves), a copy with preserved times (a new inode and ctime); the sampled blocks catch a file
// system that keeps neither ctime nor inodes (Windows) as long as the first block (dbt's
// metadata with invocation_id and generated_at) changes.
//
// Racy timestamps: file times come from a coarse clock (a few ms on Linux, 1-2 s on some file
// systems), so a manifest rewritten within the same tick as the read that built the cache can
// keep its size and every time. A cache is therefore marked racy when the manifest's mtime or
// ctime is within racyWindow of the moment it was read; a racy cache is trusted only after the
// whole manifest is hashed again (CRC-32C of each half, on two cores), and once the manifest is
// older than the window the cache is rewritten as not racy, so only the starts right after a
// dbt run pay for the full hash.
//
// Format (little endian, varints as in encoding/binary): magic "DTUIIDX", format version byte;
// the header: the manifest's size, mtime, ctime (unix ns), device, inode, a flags byte (racy),
// the sampled CRC and, for a racy cache, the CRC-32C of each half of the manifest; then the
// payload: the string tables (every distinct string once per part of the nodes, see
// encodeParts; a string is written where it is used as its length and its offset in its
// part's table), the tables of distinct config/meta maps, the origin, the totals of the slabs,
// a chunk table (where each chunk's records, slab parts and part's tables start), each node's
// record, the macros; finally a CRC-32C of everything before it, so a truncated or corrupt
// cache is detected and rebuilt.
//
// A warm start maps the file and decodes nothing it does not keep: strings are slices of one
// heap copy of the string tables (no allocation or copy per string), nodes, lists, columns and
// edges go into one slab each, and the chunks of nodes (cacheChunk each, with where each starts
// in the records, in the slabs and in the tables) are decoded on all cores.

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/datatui/datatui/internal/atomicfile"
)

const (
	cacheMagic   = "DTUIIDX"
	cacheVersion = 9
	// racyWindow covers the coarsest common timestamp granularity (FAT's 2 s) with a margin.
	racyWindow = 3 * time.Second
	// sampleBlocks blocks of sampleBlock bytes, evenly spread from the first to the last byte,
	// are hashed on every warm start: 64 KiB of reads whatever the manifest's size.
	sampleBlocks = 16
	sampleBlock  = 4 << 10
)

// castagnoli returns the CRC-32C table, built on first use, not at process start (a
// package-level sync.OnceValue would still allocate during init).
func castagnoli() *crc32.Table {
	castagnoliOnce.Do(func() { castagnoliTable = crc32.MakeTable(crc32.Castagnoli) })
	return castagnoliTable
}

var (
	castagnoliOnce  sync.Once
	castagnoliTable *crc32.Table
)

// clock is the time used to tell racy caches; tests move it.
var clock = time.Now

// fileStamp is what the cache knows of the manifest file without reading it.
type fileStamp struct {
	size, mtime, ctime int64 // ctime 0 where the platform has none
	dev, ino           uint64
}

func stampOf(st fs.FileInfo) fileStamp {
	s := fileStamp{size: st.Size(), mtime: st.ModTime().UnixNano()}
	s.ctime, s.dev, s.ino = platformStamp(st)
	return s
}

// racyAt reports whether a file with this stamp, read at now, may still change without its
// stamp changing.
func (s fileStamp) racyAt(now time.Time) bool {
	edge := now.Add(-racyWindow).UnixNano()
	return s.mtime >= edge || s.ctime >= edge
}

// cacheHeader is the part of a cache that says which manifest it was built from.
type cacheHeader struct {
	stamp  fileStamp
	racy   bool
	sample uint32
	full   [2]uint32 // CRC-32C of each half of the manifest; set only when racy
}

const flagRacy = 1

func (h *cacheHeader) append(out []byte) []byte {
	out = binary.AppendUvarint(out, uint64(h.stamp.size))
	out = binary.AppendVarint(out, h.stamp.mtime)
	out = binary.AppendVarint(out, h.stamp.ctime)
	out = binary.AppendUvarint(out, h.stamp.dev)
	out = binary.AppendUvarint(out, h.stamp.ino)
	var flags byte
	if h.racy {
		flags |= flagRacy
	}
	out = append(out, flags)
	out = binary.LittleEndian.AppendUint32(out, h.sample)
	if h.racy {
		out = binary.LittleEndian.AppendUint32(out, h.full[0])
		out = binary.LittleEndian.AppendUint32(out, h.full[1])
	}
	return out
}

// sampleSpans are the blocks of a file of size bytes that sampleCRC hashes: all of a small
// file, else sampleBlocks blocks from the first byte to the last.
func sampleSpans(size int64) [][2]int64 {
	if size <= sampleBlocks*sampleBlock {
		return [][2]int64{{0, size}}
	}
	spans := make([][2]int64, sampleBlocks)
	step := (size - sampleBlock) / (sampleBlocks - 1)
	for k := range spans {
		off := int64(k) * step
		if k == sampleBlocks-1 {
			off = size - sampleBlock
		}
		spans[k] = [2]int64{off, sampleBlock}
	}
	return spans
}

// sampleCRC hashes the sampled blocks of data (the whole manifest).
func sampleCRC(data []byte) uint32 {
	var crc uint32
	for _, sp := range sampleSpans(int64(len(data))) {
		crc = crc32.Update(crc, castagnoli(), data[sp[0]:sp[0]+sp[1]])
	}
	return crc
}

// fileSampleCRC hashes the sampled blocks of an open file of size bytes.
func fileSampleCRC(f *os.File, size int64) (uint32, error) {
	buf := make([]byte, min(size, sampleBlock*sampleBlocks))
	var crc uint32
	for _, sp := range sampleSpans(size) {
		b := buf[:sp[1]]
		if _, err := f.ReadAt(b, sp[0]); err != nil {
			return 0, err
		}
		crc = crc32.Update(crc, castagnoli(), b)
	}
	return crc, nil
}

// fileCRC returns the CRC-32C of n bytes of a file from offset off, read through a small
// buffer. (Mapping the file instead was measured slower: page faults cost more than read()'s
// copy.)
func fileCRC(f *os.File, off, n int64) (uint32, error) {
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

// fullCRCs hashes both halves of an open file on two cores.
func fullCRCs(f *os.File, size int64) ([2]uint32, error) {
	var crcs [2]uint32
	var errs [2]error
	var wg sync.WaitGroup
	for k, part := range halves(size) {
		wg.Go(func() { crcs[k], errs[k] = fileCRC(f, part[0], part[1]) })
	}
	wg.Wait()
	return crcs, errors.Join(errs[0], errs[1])
}

// trusts reports whether the open manifest f, whose stamp is now cur, is the file h was built
// from: the stamps must be equal and the sampled blocks the same; a racy cache also needs the
// whole file to hash the same.
func (h *cacheHeader) trusts(f *os.File, cur fileStamp) bool {
	if cur != h.stamp {
		return false
	}
	if crc, err := fileSampleCRC(f, cur.size); err != nil || crc != h.sample {
		return false
	}
	if !h.racy {
		return true
	}
	crcs, err := fullCRCs(f, cur.size)
	return err == nil && crcs == h.full
}

// trustsFile opens the manifest at path, stat'ed as st, and reports whether h was built from it
// as it is now (trusts). settle reports that h was racy, the whole manifest has just been hashed
// and it is now too old to change unseen: from now on the metadata and samples are enough, so h
// is marked settled for the caller to write again.
func (h *cacheHeader) trustsFile(path string, st fs.FileInfo) (trusted, settle bool) {
	f, err := os.Open(path)
	if err != nil {
		return false, false
	}
	defer f.Close()
	cur := stampOf(st)
	if !h.trusts(f, cur) {
		return false, false
	}
	if h.racy && !cur.racyAt(clock()) {
		h.racy = false
		return true, true
	}
	return true, false
}

// cacheFile is where the index of the manifest at path is cached.
func cacheFile(path, dir string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(dir, "manifest-"+hex.EncodeToString(sum[:8])+".idx")
}

// readCachedIndex returns the cached graph of the manifest (already stat'ed as st), or nil when
// there is no cache it can trust.
//
// The cache is mapped, not read onto the heap, and unmapped once decoded: the graph keeps
// nothing of the mapping (its strings share one copy of the string table, see stringTable).
// A graph whose strings pointed into the mapping would have to keep it for the life of the
// process, one more mapping per reload in a long TUI session, and a cache file cut short by
// something outside datatui would then crash the process at the next read of a string.
func readCachedIndex(path string, st fs.FileInfo, dir string, oneShot bool) *Graph {
	file := cacheFile(path, dir)
	data, unmap, err := mapFile(file)
	if err != nil {
		return nil
	}
	defer unmap()
	return decodeCachedIndex(data, path, st, file, oneShot)
}

// decodeCachedIndex decodes the cache file's data if it was built from the manifest at path
// as it is now (st). oneShot is LoadOptions.OneShot.
func decodeCachedIndex(data []byte, path string, st fs.FileInfo, file string, oneShot bool) (g *Graph) {
	r := &cacheReader{b: data, huge: oneShot}
	h, ok := r.header()
	if !ok {
		return nil
	}
	trusted, settle := h.trustsFile(path, st)
	if !trusted {
		return nil
	}
	payload := r.i
	resume := pauseGC()
	defer func() {
		if g != nil && oneShot {
			spareGraph()
		}
		resume()
	}()
	g = r.graph(path, st.Size(), st.ModTime())
	if g == nil {
		return nil
	}
	if settle {
		// A cache that cannot be rewritten stays racy.
		_ = writeCacheFile(file, appendCache(nil, &h, r.b[payload:]))
	}
	dir := filepath.Dir(file)
	if _, err := os.Stat(columnsFile(path, dir)); errors.Is(err, fs.ErrNotExist) {
		// Written by an older datatui, or found damaged and removed: the columns are written
		// again from this graph.
		_ = writeColumns(g, path, dir, h)
	}
	g.cachedIn(path, dir, h)
	return g
}

// writeCachedIndex writes g's index atomically, readable by the user only.
// st is the manifest's stat from before it was read, at readAt; sample is sampleCRC of what
// was read.
func writeCachedIndex(g *Graph, path string, st fs.FileInfo, sample uint32, dir string, readAt time.Time) error {
	h := cacheHeader{stamp: stampOf(st), sample: sample}
	h.racy = h.stamp.racyAt(readAt)
	// A manifest replaced while it was decoded must not have its new stamp cached with the old
	// contents.
	if now, err := os.Stat(path); err != nil || stampOf(now) != h.stamp {
		return errors.New("the manifest changed while it was read")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	// A racy cache needs the CRC of the whole manifest. It is read from the file again rather
	// than from data, whose pages decoding has handed back; it runs on other cores while the
	// index is encoded.
	var crcc chan error
	if h.racy {
		crcc = make(chan error, 1)
		go func() {
			f, err := os.Open(path)
			if err != nil {
				crcc <- err
				return
			}
			defer f.Close()
			h.full, err = fullCRCs(f, h.stamp.size)
			crcc <- err
		}()
	}
	columns := startColumns(g)
	w := newCacheWriter(g.Len())
	payload := w.encodeParts(g)
	if crcc != nil {
		if err := <-crcc; err != nil {
			return err
		}
	}
	size := len(cacheMagic) + 1 + len(h.append(nil)) + 4 // magic, version, header, CRC
	for _, p := range payload {
		size += len(p)
	}
	if err := writeCacheFile(cacheFile(path, dir), appendCache(make([]byte, 0, size), &h, payload...)); err != nil {
		return err
	}
	// Columns that cannot be written leave new questions to the index.
	_ = columns(path, dir, h)
	g.cachedIn(path, dir, h)
	return nil
}

// appendCache appends a whole cache file: magic, version, header, payload, CRC.
func appendCache(out []byte, h *cacheHeader, payload ...[]byte) []byte {
	out = append(out, cacheMagic...)
	out = append(out, cacheVersion)
	out = h.append(out)
	for _, p := range payload {
		out = append(out, p...)
	}
	return binary.LittleEndian.AppendUint32(out, crc32.Checksum(out, castagnoli()))
}

// writeCacheFile replaces final with buf atomically, readable by the user only.
func writeCacheFile(final string, buf []byte) error {
	_, err := atomicfile.Write(final, buf, atomicfile.Options{Perm: 0o600})
	return err
}

type cacheWriter struct {
	blob   []byte            // every distinct string once
	at     map[string]uint64 // where each is in blob
	maps   []map[string]string
	mapIDs map[string]uint32
	mapPtr map[uintptr]uint32
	body   []byte
}

func newCacheWriter(nodes int) *cacheWriter {
	w := &cacheWriter{
		at:     make(map[string]uint64, nodes*8),
		mapIDs: map[string]uint32{},
		mapPtr: map[uintptr]uint32{},
		body:   make([]byte, 0, nodes*64),
	}
	return w
}

// str writes a string as its length and, unless it is empty, where it is in the blob.
func (w *cacheWriter) str(s string) {
	if s == "" {
		w.body = append(w.body, 0)
		return
	}
	off, ok := w.at[s]
	if !ok {
		off = uint64(len(w.blob))
		w.at[s] = off
		w.blob = append(w.blob, s...)
	}
	w.body = binary.AppendUvarint(w.body, uint64(len(s)))
	w.body = binary.AppendUvarint(w.body, off)
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

// cacheChunk is how many nodes a chunk of the node records holds: chunks are decoded in
// parallel, each into its own part of the node, list, column and edge slabs.
const cacheChunk = 1024

// chunkStart is where a chunk of nodes starts: in the node records (bytes) and in the slabs
// of list elements, columns and parent edges; and where the string and map tables of the part
// it was encoded in start (str, maps).
type chunkStart struct{ rec, list, col, edge, str, maps uint64 }

// encode returns the payload of g's cache in one piece (see encodeParts).
func (w *cacheWriter) encode(g *Graph) []byte { return bytes.Join(w.encodeParts(g), nil) }

// cacheEncoders is the most cores the nodes are encoded on.
const cacheEncoders = 4

// encodeParts returns the payload of g's cache in parts, in the file's order: the string table
// (its size, then every distinct string's bytes), the map table, origin, the totals that size
// the reader's slabs, the chunk table (where each chunk of cacheChunk nodes starts, and a last
// entry for the end of the nodes), the node records, the macros. A string is written where it
// is used as its length and offset in the table, so a reader finds it without decoding or
// allocating anything else. The parts are copied once, into the file's buffer (appendCache):
// at 10k nodes each whole copy of the payload is 5 MB more at the peak of a cold load.
//
// Looking strings up in the string table is most of encoding (hashing long descriptions), so
// the nodes are encoded on several cores, whole chunks each, each part with string and map
// tables of its own; the tables are laid end to end, and each chunk says where its part's
// start. A string two parts share is kept twice. w encodes the first part and everything
// outside the nodes.
func (w *cacheWriter) encodeParts(g *Graph) [][]byte {
	o := &g.Origin
	w.str(o.DBTVersion)
	w.num(uint64(o.SchemaVersion))
	w.str(o.ProjectName)
	w.list(o.Warnings)
	w.str(o.SchemaWarning)
	w.num(uint64(len(g.Nodes)))
	totalList, totalCols, edges := cacheTotals(g)
	w.num(uint64(totalList))
	w.num(uint64(totalCols))
	w.num(uint64(edges))
	head := w.body

	// Whole chunks per part, on as many cores.
	nchunks := (len(g.Nodes) + cacheChunk - 1) / cacheChunk
	parts := make([]cachePart, max(1, min(runtime.GOMAXPROCS(0), cacheEncoders, nchunks)))
	for k := range parts {
		p := &parts[k]
		p.first, p.last = k*nchunks/len(parts), (k+1)*nchunks/len(parts)
		p.w = w
		if k > 0 {
			p.w = newCacheWriter((p.last - p.first) * cacheChunk)
		}
		p.w.body = make([]byte, 0, (p.last-p.first)*cacheChunk*64)
	}
	var wg sync.WaitGroup
	for k := 1; k < len(parts); k++ {
		wg.Go(func() { parts[k].encode(g) })
	}
	parts[0].encode(g)
	wg.Wait()

	// The first part's writer also writes the macros and the map table (every part's maps, in
	// part order), so its string table is complete before the tables are laid end to end.
	w.body = nil
	w.macros(g.Macros)
	macros := w.body
	w.body = nil
	var maps []map[string]string
	for _, p := range parts {
		maps = append(maps, p.w.maps...)
	}
	w.mapTable(maps)
	mapTable := w.body

	// Part-local positions become whole-file ones.
	var base chunkStart
	blobs := [][]byte{nil}
	bodies := make([][]byte, 0, len(parts))
	for _, p := range parts {
		for k := range p.chunks {
			c := &p.chunks[k]
			c.rec += base.rec
			c.list += base.list
			c.col += base.col
			c.edge += base.edge
			c.str, c.maps = base.str, base.maps
		}
		end := p.chunks[len(p.chunks)-1]
		base = chunkStart{rec: end.rec, list: end.list, col: end.col, edge: end.edge,
			str: base.str + uint64(len(p.w.blob)), maps: base.maps + uint64(len(p.w.maps))}
		blobs = append(blobs, p.w.blob)
		bodies = append(bodies, p.body)
	}
	blobs[0] = binary.AppendUvarint(nil, base.str)
	for _, p := range parts {
		for _, c := range p.chunks[:len(p.chunks)-1] {
			head = appendChunkStart(head, c)
		}
	}
	head = appendChunkStart(head, base) // the end of the nodes
	return slices.Concat(blobs, [][]byte{mapTable, head}, bodies, [][]byte{macros})
}

func appendChunkStart(b []byte, c chunkStart) []byte {
	for _, v := range [...]uint64{c.rec, c.list, c.col, c.edge, c.str, c.maps} {
		b = binary.AppendUvarint(b, v)
	}
	return b
}

// cachePart is the chunks [first, last) of the nodes, encoded by w with string and map tables
// of its own; chunks are their starts within the part, then the part's totals. (The first
// part's w goes on to write what follows the nodes, so the records are kept in body.)
type cachePart struct {
	w           *cacheWriter
	first, last int
	chunks      []chunkStart
	body        []byte // the part's node records
}

func (p *cachePart) encode(g *Graph) {
	w := p.w
	var at chunkStart
	for k := p.first; k < p.last; k++ {
		at.rec = uint64(len(w.body))
		p.chunks = append(p.chunks, at)
		for i := k * cacheChunk; i < min(len(g.Nodes), (k+1)*cacheChunk); i++ {
			w.node(g, i)
			n := &g.Nodes[i]
			at.list += uint64(listElems(n))
			at.col += uint64(len(n.Columns))
			at.edge += uint64(len(g.parents[i]))
		}
	}
	at.rec = uint64(len(w.body))
	p.chunks = append(p.chunks, at)
	p.body = w.body
}

// listElems is how many elements of the list slab node n takes: the lists its record holds.
func listElems(n *Node) int {
	return len(n.FQN) + len(n.Tags) + len(n.Config.Tags) + len(n.DependsOn) + len(n.MacroDeps)
}

// cacheTotals count what the reader allocates in one block each: list elements (nodes' and
// macros'), columns and parent edges.
func cacheTotals(g *Graph) (totalList, totalCols, edges int) {
	for i := range g.Nodes {
		n := &g.Nodes[i]
		totalList += listElems(n)
		totalCols += len(n.Columns)
		edges += len(g.parents[i])
	}
	for _, m := range g.Macros {
		totalList += len(m.DependsOn)
	}
	return totalList, totalCols, edges
}

// node writes node i of g in the order cacheReader.node reads it.
func (w *cacheWriter) node(g *Graph, i int) {
	n := &g.Nodes[i]
	// Most of the string fields of a node are empty: a mask says which ones follow.
	fields := [...]string{n.UniqueID, n.Name, n.ResourceType, n.Package, n.Path, n.OriginalPath, n.PatchPath,
		n.Description, n.Database, n.Schema, n.Alias, n.Version, n.SourceName, n.AttachedNode, n.Checksum, n.Owner,
		n.Label, n.ExposureType, n.URL, n.RelationName, n.UnrenderedHash, n.LatestVersion, n.UnrenderedRelation,
		n.ContractChecksum,
		n.Config.Materialized, n.Config.Schema, n.Config.Database, n.Config.Alias, n.Config.Severity,
		n.Config.Group, n.Config.Access}
	var mask uint64
	for k, s := range fields {
		if s != "" {
			mask |= 1 << k
		}
	}
	w.num(mask)
	for _, s := range fields {
		if s != "" {
			w.str(s)
		}
	}
	// The graph's edges, so a warm start does not look up every depends_on id again.
	w.num(uint64(len(g.parents[i])))
	for _, p := range g.parents[i] {
		w.num(uint64(p))
	}
	w.list(n.FQN)
	w.list(n.Tags)
	w.list(n.Config.Tags)
	w.list(n.DependsOn)
	w.list(n.MacroDeps)
	w.mapRef(n.Config.Extra)
	w.mapRef(n.Config.Kinds)
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

// macros writes the macros in id order, after a count that is 0 when the manifest had none.
func (w *cacheWriter) macros(macros map[string]Macro) {
	if macros == nil {
		w.num(0)
		return
	}
	ids := make([]string, 0, len(macros))
	for id := range macros {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	w.num(uint64(len(ids)) + 1)
	for _, id := range ids {
		w.str(id)
		w.str(macros[id].Checksum)
		w.list(macros[id].DependsOn)
	}
}

// mapTable writes the shared maps, each in key order.
func (w *cacheWriter) mapTable(maps []map[string]string) {
	w.num(uint64(len(maps)))
	for _, m := range maps {
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
}

// cacheReader decodes a cache; any inconsistency makes it return nil (rebuild).
type cacheReader struct {
	b   []byte
	i   int
	bad bool
	// blob is the string table (see encodeParts), copied once: a string read from the
	// cache is a slice of it.
	blob string
	maps []map[string]string
	// listSlab and colSlab are the remaining parts of one allocation each for all lists and
	// columns.
	listSlab []string
	colSlab  []Column
	// huge asks for the large slabs on huge pages (LoadOptions.OneShot).
	huge bool
}

// header checks the magic, version and CRC of the whole cache and reads its header; r.i is then
// at the payload.
func (r *cacheReader) header() (h cacheHeader, ok bool) {
	if len(r.b) < len(cacheMagic)+1+4 || !bytes.HasPrefix(r.b, []byte(cacheMagic)) || r.b[len(cacheMagic)] != cacheVersion {
		return h, false
	}
	body := r.b[:len(r.b)-4]
	if crcParallel(body) != binary.LittleEndian.Uint32(r.b[len(r.b)-4:]) {
		return h, false
	}
	r.b = body
	r.i = len(cacheMagic) + 1
	return r.headerFields()
}

// headerFields reads a cache header (cacheHeader.append's layout) at r.i.
func (r *cacheReader) headerFields() (h cacheHeader, ok bool) {
	h.stamp.size = int64(r.num())
	h.stamp.mtime = r.signed()
	h.stamp.ctime = r.signed()
	h.stamp.dev = r.num()
	h.stamp.ino = r.num()
	if r.bad || r.i+5 > len(r.b) {
		return h, false
	}
	h.racy = r.b[r.i]&flagRacy != 0
	h.sample = binary.LittleEndian.Uint32(r.b[r.i+1:])
	r.i += 5
	if h.racy {
		if r.i+8 > len(r.b) {
			return h, false
		}
		h.full[0] = binary.LittleEndian.Uint32(r.b[r.i:])
		h.full[1] = binary.LittleEndian.Uint32(r.b[r.i+4:])
		r.i += 8
	}
	return h, true
}

// left is how many bytes are left to read.
func (r *cacheReader) left() uint64 { return uint64(len(r.b) - min(r.i, len(r.b))) }

func (r *cacheReader) signed() int64 {
	v, n := binary.Varint(r.b[min(r.i, len(r.b)):])
	if n <= 0 {
		r.bad = true
		r.i = len(r.b)
		return 0
	}
	r.i += n
	return v
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

// str reads a string: its length, then unless it is empty its offset in the string table.
// It is most of what decoding does, so the two varints are read here rather than by num.
func (r *cacheReader) str() string {
	b, i := r.b, r.i
	if i >= len(b) {
		r.bad = true
		return ""
	}
	n := uint64(b[i])
	i++
	if n >= 0x80 {
		v, k := binary.Uvarint(b[i-1:])
		if k <= 0 {
			r.bad, r.i = true, len(b)
			return ""
		}
		n, i = v, i-1+k
	}
	if n == 0 {
		r.i = i
		return ""
	}
	var off uint64
	for shift := uint(0); ; shift += 7 {
		if i >= len(b) || shift > 63 {
			r.bad, r.i = true, len(b)
			return ""
		}
		c := b[i]
		i++
		off |= uint64(c&0x7f) << shift
		if c < 0x80 {
			break
		}
	}
	r.i = i
	if off > uint64(len(r.blob)) || n > uint64(len(r.blob))-off {
		r.bad = true
		return ""
	}
	return r.blob[off : off+n]
}

func (r *cacheReader) list() []string {
	n := r.num()
	if n == 0 {
		return nil
	}
	return r.list0(n - 1)
}

// list0 reads n strings into the front of the list slab.
func (r *cacheReader) list0(n uint64) []string {
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

// graph decodes the payload into the graph of the manifest at path, of size bytes modified at
// mtime; nil when the payload is damaged.
func (r *cacheReader) graph(path string, size int64, mtime time.Time) *Graph {
	if !r.stringTable() || !r.mapTable() {
		return nil
	}
	o := r.origin(path)
	nn := r.num()
	totalList, totalCols, edges := r.num(), r.num(), r.num()
	// Nothing is allocated for more than the payload can hold: a node record takes 13 bytes at
	// least, a column 3, a list element or an edge 1.
	if left := r.left(); r.bad || nn > left/13 || totalList > left || totalCols > left/3 || edges > left {
		return nil
	}
	chunks, ok := r.chunkTable(nn, totalList, totalCols, edges)
	if !ok {
		return nil
	}
	// The node slab first: it is most of what is allocated, so the collection this load may
	// start finds it already there and sizes the next goal past the whole graph.
	d := &chunkDecoder{
		r:      r,
		nodes:  makeSlab[Node](nn, r.huge),
		lists:  makeSlab[string](totalList, r.huge),
		cols:   makeSlab[Column](totalCols, r.huge),
		edges:  makeSlab[int32](edges, r.huge),
		end:    makeSlab[int32](nn, r.huge),
		spans:  makeSlab[[2]int64](nn, r.huge),
		chunks: chunks,
		base:   r.i,
	}
	if !d.run() {
		return nil
	}
	last := chunks[len(chunks)-1]
	r.i += int(last.rec)
	r.listSlab = d.lists[last.list:]
	macros, ok := r.macros()
	if !ok || r.bad || r.i != len(r.b) {
		return nil
	}
	o.Built = mtime
	g := linkGraph(d.nodes, o, nil, d.edges, d.end)
	g.sql = &sqlSource{path: path, size: size, mtime: mtime, spans: d.spans}
	g.Macros = macros
	return g
}

// chunkTable reads where each chunk of nodes starts (and where the last ends), checking that
// the starts grow, and fit the totals and the payload.
func (r *cacheReader) chunkTable(nn, totalList, totalCols, edges uint64) ([]chunkStart, bool) {
	n := (nn+cacheChunk-1)/cacheChunk + 1
	chunks := make([]chunkStart, n)
	var prev chunkStart
	for k := range chunks {
		c := chunkStart{rec: r.num(), list: r.num(), col: r.num(), edge: r.num(), str: r.num(), maps: r.num()}
		if r.bad || c.rec < prev.rec || c.list < prev.list || c.col < prev.col || c.edge < prev.edge || c.str < prev.str || c.maps < prev.maps {
			return nil, false
		}
		chunks[k], prev = c, c
	}
	if prev.list > totalList || prev.col != totalCols || prev.edge != edges || prev.rec > uint64(len(r.b)-r.i) ||
		prev.str != uint64(len(r.blob)) || prev.maps != uint64(len(r.maps)) {
		return nil, false
	}
	return chunks, true
}

// chunkDecoder decodes the node records chunk by chunk, on as many cores as there are chunks
// (up to GOMAXPROCS). A chunk's records and its parts of the slabs are its own, so decoders
// share only what they read (the string and map tables).
type chunkDecoder struct {
	r      *cacheReader
	nodes  []Node
	lists  []string
	cols   []Column
	edges  []int32
	end    []int32 // node i's parents are edges[end[i-1]:end[i]]
	spans  [][2]int64
	chunks []chunkStart
	base   int // where the node records start in r.b
	next   atomic.Int64
	bad    atomic.Bool
}

// run decodes every chunk; false when one is damaged.
func (d *chunkDecoder) run() bool {
	n := len(d.chunks) - 1
	workers := min(runtime.GOMAXPROCS(0), n, 4)
	var wg sync.WaitGroup
	for range workers - 1 {
		wg.Go(d.work)
	}
	if n > 0 {
		d.work()
	}
	wg.Wait()
	return !d.bad.Load()
}

// work decodes chunks until none is left or one is damaged.
func (d *chunkDecoder) work() {
	for !d.bad.Load() {
		k := int(d.next.Add(1) - 1)
		if k >= len(d.chunks)-1 {
			return
		}
		if !d.chunk(k) {
			d.bad.Store(true)
		}
	}
}

// chunk decodes chunk k, which must use exactly its records and its parts of the slabs.
func (d *chunkDecoder) chunk(k int) bool {
	from, to := d.chunks[k], d.chunks[k+1]
	// The chunk's strings and maps are its part's: the tables from where the part's start.
	r := &cacheReader{b: d.r.b[d.base+int(from.rec) : d.base+int(to.rec)], blob: d.r.blob[from.str:], maps: d.r.maps[from.maps:],
		listSlab: d.lists[from.list:to.list], colSlab: d.cols[from.col:to.col]}
	parents := &cacheParents{slab: d.edges[from.edge:from.edge:to.edge], base: int32(from.edge), end: d.end, nodes: uint64(len(d.nodes))}
	last := min(len(d.nodes), (k+1)*cacheChunk)
	for i := k * cacheChunk; i < last; i++ {
		if !r.node(&d.nodes[i], i, parents, d.spans) {
			return false
		}
	}
	return r.i == len(r.b) && len(r.listSlab) == 0 && len(r.colSlab) == 0 && len(parents.slab) == cap(parents.slab)
}

// stringTable finds the string table; each string is checked when it is read (str). The table
// is copied onto the heap once, as one string, and every string of the graph is a slice of it:
// one allocation whatever the number of strings, and nothing left pointing into the mapping.
func (r *cacheReader) stringTable() bool {
	total := r.num()
	if r.bad || total > r.left() {
		return false
	}
	r.blob = copyString(r.b[r.i:r.i+int(total)], r.huge)
	r.i += int(total)
	return true
}

// mapTable reads the maps the nodes share (configs, kinds, meta).
func (r *cacheReader) mapTable() bool {
	nm := r.num()
	if nm > r.left() {
		return false
	}
	r.maps = make([]map[string]string, nm)
	for k := range r.maps {
		cnt := r.num()
		if cnt > r.left()/2 { // a key and a value take a byte each at least
			return false
		}
		m := make(map[string]string, cnt)
		for range cnt {
			key := r.str()
			m[key] = r.str()
		}
		if r.bad {
			return false
		}
		r.maps[k] = m
	}
	return true
}

// origin reads where the graph came from: dbt's version, the schema, the project, the
// warnings of the manifest's reading and the one about its schema.
func (r *cacheReader) origin(path string) Origin {
	o := Origin{Kind: OriginManifest, Path: path}
	o.DBTVersion = r.str()
	o.SchemaVersion = int(r.num())
	o.ProjectName = r.str()
	// The warnings come before the totals that size the list slab, so they get their own slice.
	if n := r.num(); n > 0 {
		r.listSlab = make([]string, min(n-1, uint64(len(r.b))))
		o.Warnings = r.list0(n - 1)
	}
	o.SchemaWarning = r.str()
	return o
}

// cacheParents collects the parent edges of a chunk of nodes into its part of the edge slab
// (which starts at base in the whole slab): node i's parents are slab[end[i-1]:end[i]].
type cacheParents struct {
	slab  []int32
	base  int32
	end   []int32
	nodes uint64 // how many nodes the graph has
}

// node reads node i into n: its string fields (a mask says which are set), parents, lists,
// maps, flags, test metadata, columns and the span of its SQL in the manifest.
func (r *cacheReader) node(n *Node, i int, parents *cacheParents, spans [][2]int64) bool {
	fields := [...]*string{&n.UniqueID, &n.Name, &n.ResourceType, &n.Package, &n.Path, &n.OriginalPath, &n.PatchPath,
		&n.Description, &n.Database, &n.Schema, &n.Alias, &n.Version, &n.SourceName, &n.AttachedNode, &n.Checksum, &n.Owner,
		&n.Label, &n.ExposureType, &n.URL, &n.RelationName, &n.UnrenderedHash, &n.LatestVersion, &n.UnrenderedRelation,
		&n.ContractChecksum,
		&n.Config.Materialized, &n.Config.Schema, &n.Config.Database, &n.Config.Alias, &n.Config.Severity,
		&n.Config.Group, &n.Config.Access}
	mask := r.num()
	for k, f := range fields {
		if mask&(1<<k) != 0 {
			*f = r.str()
		}
	}
	np := r.num()
	if np > uint64(cap(parents.slab)-len(parents.slab)) {
		return false
	}
	for range np {
		p := r.num()
		if p >= parents.nodes {
			return false
		}
		parents.slab = append(parents.slab, int32(p))
	}
	parents.end[i] = parents.base + int32(len(parents.slab))
	n.FQN = r.list()
	n.Tags = r.list()
	n.Config.Tags = r.list()
	n.DependsOn = r.list()
	n.MacroDeps = r.list()
	n.Config.Extra = r.mapRef()
	n.Config.Kinds = r.mapRef()
	n.Meta = r.mapRef()
	flags := r.num()
	n.Disabled = flags&1 != 0
	n.ContractEnf = flags&2 != 0
	n.Config.Enabled = flags&4 != 0
	if flags&8 != 0 {
		n.TestMetadata = &TestMetadata{Name: r.str(), Namespace: r.str(), Column: r.str()}
	}
	if flags&16 != 0 && !r.columns(n) {
		return false
	}
	start := r.num()
	spans[i] = [2]int64{int64(start), int64(start + r.num())}
	return !r.bad
}

// columns reads a node's columns into the column slab.
func (r *cacheReader) columns(n *Node) bool {
	nc := r.num()
	if nc > uint64(len(r.colSlab)) {
		return false
	}
	n.Columns = r.colSlab[:nc:nc]
	r.colSlab = r.colSlab[nc:]
	for k := range n.Columns {
		n.Columns[k] = Column{Name: r.str(), Description: r.str(), DataType: r.str()}
	}
	return true
}

// macros reads the macros' checksums and calls (nil when the manifest listed none).
func (r *cacheReader) macros() (map[string]Macro, bool) {
	nm := r.num()
	if nm == 0 {
		return nil, true
	}
	if nm-1 > r.left()/3 { // an id, a checksum and a list take a byte each at least
		return nil, false
	}
	macros := make(map[string]Macro, nm-1)
	for range nm - 1 {
		id := r.str()
		macros[id] = Macro{Checksum: r.str(), DependsOn: r.list()}
		if r.bad {
			return nil, false
		}
	}
	return macros, true
}
