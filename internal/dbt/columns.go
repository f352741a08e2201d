package dbt

// The selection columns file.
//
// A warm `ls` asked a question it has not answered before must select over the whole graph, and
// decoding the index costs ~1 µs a node (118 ms at 108k nodes) before the first node is looked
// at. Selection reads a few fields of every node (a tag: question reads the tags and the types)
// and the rest only of the nodes it prints. So beside the index, LoadManifest writes
// manifest-<hash>.sel: what selection and ls's plain listings read, as columns, one section per
// field, read in place from the file's mapping. A question then costs the pages of the
// sections it reads; nothing is decoded and nothing allocated per node.
//
// The file is trusted under the index's rules (the manifest's stamp, its sampled blocks, the
// racy rule; see cache.go) and its integrity is checked lazily, where it is read. A section a
// question scans whole (the flags, the members, the lists) has a CRC-32C checked on its first
// use, with its structure (offsets that grow and end where the values do). The sections read a
// value at a time (the strings, the dictionary, the string columns, the edges: most of the
// file, of which a question reads little) have a CRC per 64 KiB block instead, checked when a
// value in the block is first read, with the value (a reference inside the strings, edges
// that name nodes). A damaged section marks the whole file damaged: what was read from it is
// not used (the caller decodes the index instead and discards the file, so the next load
// writes it again).
//
// Format (little endian): magic "DTUISEL" and a version byte; the length of the head (uint32);
// the head: the manifest's cache header (as the index's), the number of nodes (uint32), then
// for each section its offset from the start of the data, its length (uint64 each) and its
// CRC-32C (uint32; 0 for a section checked by blocks, whose block CRCs are one more section);
// a CRC-32C of everything before it; zero padding up to a multiple of 8; the data: the
// sections, each starting at a multiple of 8. A string is a reference, uint64:
// its offset in the strings section << 24 | its length (strings are interned, so equal
// strings have equal references). Lists are an offsets section (nodes+1 uint32: node i's
// values are values[off[i]:off[i+1]]) and a values section. The dictionary is a hash table of
// the references of every fqn part and tag (a power of two uint64 slots, FNV-1a of the string,
// linear probing, 0 for empty): a question for one tag or name finds its reference there and
// then compares references, never reading the strings of nodes that cannot match.

import (
	"bufio"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"slices"
	"strings"
	"unsafe"

	"github.com/datatui/datatui/internal/atomicfile"
)

const (
	columnsMagic   = "DTUISEL"
	columnsVersion = 2
	// blobBlock is the span of the strings section one CRC covers.
	blobBlock = 64 << 10
	// refLenBits is how many low bits of a string reference hold its length.
	refLenBits = 24
	maxRefLen  = 1<<refLenBits - 1
)

// The string columns: one reference per node.
const (
	colUniqueID = iota
	colName
	colResourceType
	colPackage
	colOriginalPath
	colPatchPath
	colVersion
	colLatestVersion
	colSourceName
	colMaterialized
	colSchema
	colDatabase
	colAlias
	colSeverity
	colGroup
	colAccess
	colTestName
	numStringColumns
)

// The list columns.
const (
	listFQN = iota
	listTags
	listConfigTags
	numLists
)

// Node flags, one byte per node.
const (
	nodeMember          = 1 << iota // a selection-graph member (GraphMember)
	nodeEnabled                     // config.enabled
	nodeDisabled                    // from the disabled section
	nodeTestMetadata                // a generic test (test_metadata is set)
	nodeParentsComplete             // every depends_on id is an edge (ParentsComplete)
	// nodeFQNLoose: the fqn may be selected by a pattern none of its parts equals the first
	// part of: the node is versioned (name_v2) or a part holds a dot (dbt splits it).
	nodeFQNLoose
)

// The sections, in file order.
const (
	secOrigin = iota
	secFlags
	secByID
	secBlob
	secBlockCRC // the block CRCs of the lazy sections (see lazySection)
	secDict
	secStrings                                   // numStringColumns sections
	secListOff   = secStrings + numStringColumns // numLists pairs: offsets, values
	secParentOff = secListOff + 2*numLists
	secParents   = secParentOff + 1
	secChildOff  = secParents + 1
	secChildren  = secChildOff + 1
	secMembers   = secChildren + 1 // the members as a bitset, 64 nodes a uint64
	numSections  = secMembers + 1
)

// Fields are the parts of a node a columns Reader fills in.
type Fields uint32

const (
	FieldID      Fields = 1 << iota // UniqueID
	FieldName                       // Name
	FieldType                       // ResourceType
	FieldPackage                    // Package
	FieldSource                     // SourceName
	FieldVersion                    // Version, LatestVersion
	FieldFQN                        // FQN
	FieldTags                       // Tags
	FieldPaths                      // OriginalPath, PatchPath
	FieldConfig                     // Config: materialized, schema, database, alias, severity, group, access, enabled, tags
	FieldTest                       // TestMetadata (its Name only)
)

// columnsFile is where the selection columns of the manifest at path are kept: beside its index.
func columnsFile(path, dir string) string {
	return strings.TrimSuffix(cacheFile(path, dir), ".idx") + ".sel"
}

// ColumnsOrigin is what the columns keep of the graph's Origin.
type ColumnsOrigin struct {
	DBTVersion    string
	SchemaVersion int
	ProjectName   string
	SchemaWarning string
}

// Columns are a manifest's selection columns, read in place from the file's mapping. Strings
// they return point into the mapping: they are valid until Close. Not safe for concurrent use.
type Columns struct {
	data     []byte
	unmap    func()
	file     string
	manifest string // the manifest's path
	dir      string
	header   cacheHeader
	n        int
	sec      [numSections][]byte
	crc      [numSections]uint32
	checked  [numSections]bool
	blob     []byte
	blocks   [numSections]blocks // of the lazy sections
	strs     [numStringColumns][]uint64
	listOff  [numLists][]uint32
	listVal  [numLists][]uint64
	adjOff   [2][]uint32 // parents, children
	adjVal   [2][]int32
	dict     []uint64
	members  []uint64
	byID     []int32
	flags    []byte
	origin   ColumnsOrigin
	damaged  bool
}

// OpenColumns opens the selection columns of the manifest at path kept in dir, when they were
// written from the manifest as it is now; ok is false otherwise (no file, another manifest, a
// damaged head).
func OpenColumns(path, dir string) (c *Columns, ok bool) {
	if dir == "" {
		return nil, false
	}
	st, err := os.Stat(path)
	if err != nil || st.IsDir() {
		return nil, false
	}
	file := columnsFile(path, dir)
	data, unmap, err := mapFile(file)
	if err != nil {
		return nil, false
	}
	c = &Columns{data: data, unmap: unmap, file: file, manifest: path, dir: dir}
	dataStart, ok := c.readHead()
	if !ok {
		unmap()
		return nil, false
	}
	trusted, settle := c.header.trustsFile(path, st)
	if !trusted {
		unmap()
		return nil, false
	}
	if settle {
		// From now on the stamp is enough: the file is written again with the settled header.
		// One that cannot be stays racy.
		_ = writeColumnsFile(file, appendColumns(nil, &c.header, c.n, c.crc, sectionLens(c.sec), nil), data[dataStart:])
	}
	if !c.origin0() {
		c.Close()
		return nil, false
	}
	return c, true
}

// readHead checks the magic, version and head CRC, reads the header and locates the sections;
// it returns where the data starts.
func (c *Columns) readHead() (int, bool) {
	b := c.data
	pre := len(columnsMagic) + 1 + 4
	if len(b) < pre+4 || string(b[:len(columnsMagic)]) != columnsMagic || b[len(columnsMagic)] != columnsVersion || !littleEndian() {
		return 0, false
	}
	headLen := uint64(binary.LittleEndian.Uint32(b[len(columnsMagic)+1:]))
	if headLen > uint64(len(b)-pre-4) {
		return 0, false
	}
	end := pre + int(headLen)
	if crc32.Checksum(b[:end], castagnoli()) != binary.LittleEndian.Uint32(b[end:]) {
		return 0, false
	}
	r := &cacheReader{b: b[:end], i: pre}
	h, ok := r.headerFields()
	if !ok || r.i+4+numSections*20 != end {
		return 0, false
	}
	c.header = h
	c.n = int(binary.LittleEndian.Uint32(b[r.i:]))
	dataStart := align8(end + 4)
	if dataStart > len(b) {
		return 0, false
	}
	body := b[dataStart:]
	if c.n > len(body) { // a node takes a byte of flags at least
		return 0, false
	}
	at := r.i + 4
	for k := range c.sec {
		off := binary.LittleEndian.Uint64(b[at:])
		n := binary.LittleEndian.Uint64(b[at+8:])
		c.crc[k] = binary.LittleEndian.Uint32(b[at+16:])
		at += 20
		if off%8 != 0 || off > uint64(len(body)) || n > uint64(len(body))-off {
			return 0, false
		}
		c.sec[k] = body[off : off+n]
	}
	return dataStart, true
}

// origin0 reads the origin section (checked whole: it is a few bytes).
func (c *Columns) origin0() bool {
	if !c.need(secOrigin) {
		return false
	}
	r := &cacheReader{b: c.sec[secOrigin]}
	var o ColumnsOrigin
	o.DBTVersion = r.plain()
	o.SchemaVersion = int(r.num())
	o.ProjectName = r.plain()
	o.SchemaWarning = r.plain()
	if r.bad || r.i != len(r.b) {
		return false
	}
	c.origin = o
	return true
}

// plain reads a string written as its length and bytes (a copy: origins outlive the mapping).
func (r *cacheReader) plain() string {
	n := r.num()
	if r.bad || n > r.left() {
		r.bad = true
		return ""
	}
	s := string(r.b[r.i : r.i+int(n)])
	r.i += int(n)
	return s
}

// Close unmaps the file; strings read from c are invalid from then on.
func (c *Columns) Close() {
	if c.unmap != nil {
		c.unmap()
		c.unmap = nil
	}
}

// Discard closes c and removes its file (it was found damaged): the next load writes it again.
func (c *Columns) Discard() {
	c.Close()
	_ = os.Remove(c.file)
}

// Damaged reports that a section or block read so far failed its check: nothing read from c
// may be used.
func (c *Columns) Damaged() bool { return c.damaged }

// Len is the number of nodes.
func (c *Columns) Len() int { return c.n }

// Origin is what the columns keep of the graph's Origin.
func (c *Columns) Origin() ColumnsOrigin { return c.origin }

// need checks section k on its first use: its CRC, then its structure. A failure marks c
// damaged.
func (c *Columns) need(k int) bool {
	if c.checked[k] {
		return !c.damaged
	}
	c.checked[k] = true
	// A lazy section's bytes are checked block by block as they are read (see span), not whole.
	if c.damaged || lazySection(k) && !c.need(secBlockCRC) || !lazySection(k) && crcParallel(c.sec[k]) != c.crc[k] || !c.valid(k) {
		c.damaged = true
		return false
	}
	return true
}

// valid checks the structure of section k and keeps its values in their typed form.
func (c *Columns) valid(k int) bool {
	b, n := c.sec[k], c.n
	switch {
	case k == secOrigin:
		return true
	case k == secFlags:
		c.flags = b
		return len(b) == n
	case k == secByID:
		v, ok := valuesOf[int32](b, n)
		if !ok {
			return false
		}
		for _, i := range v {
			if i < 0 || int(i) >= n {
				return false
			}
		}
		c.byID = v
		return true
	case k == secBlob:
		c.blob = b
		return true
	case k == secBlockCRC:
		v, ok := valuesOf[uint32](b, len(b)/4)
		at := 0
		for l := range c.sec {
			if !lazySection(l) {
				continue
			}
			nb := numBlocks(len(c.sec[l]))
			if !ok || at+nb > len(v) {
				return false
			}
			c.blocks[l] = blocks{crc: v[at : at+nb], ok: make([]uint64, (nb+63)/64)}
			at += nb
		}
		return ok && at == len(v)
	case k == secDict:
		v, ok := valuesOf[uint64](b, len(b)/8)
		if !ok || len(v) == 0 || len(v)&(len(v)-1) != 0 {
			return false
		}
		c.dict = v
		return true
	case k >= secStrings && k < secStrings+numStringColumns:
		v, ok := valuesOf[uint64](b, n)
		if !ok {
			return false
		}
		c.strs[k-secStrings] = v
		return true
	case k >= secListOff && k < secParentOff:
		l := (k - secListOff) / 2
		if (k-secListOff)%2 == 1 { // values: read with their offsets
			return true
		}
		off, ok := offsets(b, n)
		if !ok {
			return false
		}
		if !c.need(k + 1) {
			return false
		}
		vals, ok := valuesOf[uint64](c.sec[k+1], int(off[n]))
		if !ok {
			return false
		}
		c.listOff[l], c.listVal[l] = off, vals
		return true
	case k == secParentOff || k == secChildOff: // checked node by node as they are read
		off, ok := valuesOf[uint32](b, n+1)
		c.adjOff[adjacency(k)] = off
		return ok
	case k == secParents || k == secChildren:
		vals, ok := valuesOf[int32](b, len(b)/4)
		c.adjVal[adjacency(k)] = vals
		return ok
	case k == secMembers:
		words, ok := valuesOf[uint64](b, (n+63)/64)
		if !ok || n%64 != 0 && words[len(words)-1]>>(n%64) != 0 {
			return false // no member past the last node
		}
		c.members = words
		return true
	}
	return false
}

// offsets reads a list's n+1 offsets, checking that they start at 0 and never decrease.
func offsets(b []byte, n int) ([]uint32, bool) {
	off, ok := valuesOf[uint32](b, n+1)
	if !ok || off[0] != 0 {
		return nil, false
	}
	for i := 1; i < len(off); i++ {
		if off[i] < off[i-1] {
			return nil, false
		}
	}
	return off, true
}

// lazySection reports a section checked block by block as it is read: the strings, the
// dictionary, the string columns and the edges, of which a question reads a few values (the
// strings and columns of the nodes it prints, the slots it probes, the edges it walks) and
// checking whole sections would cost more than the question.
func lazySection(k int) bool {
	return k == secBlob || k == secDict || k >= secStrings && k < secStrings+numStringColumns || k >= secParentOff && k <= secChildren
}

// blocks are the block CRCs of a lazy section and which blocks were checked.
type blocks struct {
	crc []uint32 // one a blobBlock
	ok  []uint64 // a bit a block
}

// checked reports that the block holding byte off was checked.
func (b *blocks) checked(off int) bool {
	k := off / blobBlock
	return b.ok[k>>6]&(1<<(k&63)) != 0
}

// word reports that the 8 bytes at off (a value) of lazy section k, already needed, are sound:
// the common case is one bit test, the first read of a block checks its CRC.
func (c *Columns) word(k, off int) bool {
	return c.blocks[k].checked(off) || c.span(k, off, 8)
}

func numBlocks(n int) int { return (n + blobBlock - 1) / blobBlock }

// span reports that bytes [off, off+n) of lazy section k lie inside it and that the blocks
// holding them are sound, checking each block's CRC on its first use. A failure marks c damaged.
func (c *Columns) span(k, off, n int) bool {
	if !c.need(k) {
		return false
	}
	sec, b := c.sec[k], &c.blocks[k]
	if off < 0 || n < 0 || off > len(sec)-n {
		c.damaged = true
		return false
	}
	for blk := off / blobBlock; n > 0 && blk <= (off+n-1)/blobBlock; blk++ {
		if !b.checked(blk * blobBlock) {
			if crc32.Checksum(sec[blk*blobBlock:min(len(sec), (blk+1)*blobBlock)], castagnoli()) != b.crc[blk] {
				c.damaged = true
				return false
			}
			b.ok[blk>>6] |= 1 << (blk & 63)
		}
	}
	return !c.damaged
}

// str returns the string a reference names.
func (c *Columns) str(ref uint64) string {
	n := int(ref & maxRefLen)
	if n == 0 {
		return ""
	}
	off := int(ref >> refLenBits)
	if b := &c.blocks[secBlob]; c.blob != nil && off <= len(c.blob)-n && off/blobBlock == (off+n-1)/blobBlock && b.checked(off) {
		return unsafe.String(&c.blob[off], n) // a checked block: most strings, most calls
	}
	if !c.span(secBlob, off, n) {
		return ""
	}
	return unsafe.String(&c.blob[off], n)
}

// stringColumn returns string column k (its values are checked as they are read: see at);
// nil when damaged.
func (c *Columns) stringColumn(k int) []uint64 {
	if !c.need(secStrings + k) {
		return nil
	}
	return c.strs[k]
}

// at returns node i's string in column k.
func (c *Columns) at(k, i int) string {
	col := c.stringColumn(k)
	if col == nil || !c.word(secStrings+k, 8*i) {
		return ""
	}
	return c.str(col[i])
}

// list returns list column l (offsets and values), checked.
func (c *Columns) list(l int) ([]uint32, []uint64) {
	if !c.need(secListOff + 2*l) {
		return nil, nil
	}
	return c.listOff[l], c.listVal[l]
}

// ResourceType is node i's resource type.
func (c *Columns) ResourceType(i int) string { return c.at(colResourceType, i) }

// UniqueID is node i's unique id.
func (c *Columns) UniqueID(i int) string { return c.at(colUniqueID, i) }

// flag reports one of node i's flags.
func (c *Columns) flag(i int, f byte) bool {
	if !c.need(secFlags) {
		return false
	}
	return c.flags[i]&f != 0
}

// Member reports whether node i is a selection-graph member (Node.GraphMember).
func (c *Columns) Member(i int) bool { return c.flag(i, nodeMember) }

// ParentsComplete is Graph.ParentsComplete.
func (c *Columns) ParentsComplete(i int) bool { return c.flag(i, nodeParentsComplete) }

// Members returns the selection-graph members as a bitset (node i is bit i%64 of word i/64),
// a copy the caller may change; nil when damaged.
func (c *Columns) Members() []uint64 {
	if !c.need(secMembers) {
		return nil
	}
	return slices.Clone(c.members)
}

const (
	adjParents = iota
	adjChildren
)

// adjacency is which edges a section of them holds.
func adjacency(k int) int {
	if k == secParentOff || k == secParents {
		return adjParents
	}
	return adjChildren
}

// Parents returns the indexes of node i's direct parents.
func (c *Columns) Parents(i int) []int32 { return c.adjacent(adjParents, secParentOff, i) }

// Children returns the indexes of node i's direct children.
func (c *Columns) Children(i int) []int32 { return c.adjacent(adjChildren, secChildOff, i) }

// adjacent returns node i's edges of kind a (offsets in section k, values in k+1), checking
// the blocks they lie in and that they name nodes.
func (c *Columns) adjacent(a, k, i int) []int32 {
	if !c.span(k, 4*i, 8) || !c.need(k+1) {
		return nil
	}
	off := c.adjOff[a]
	lo, hi := off[i], off[i+1]
	if lo > hi || int(hi) > len(c.adjVal[a]) {
		c.damaged = true
		return nil
	}
	if lo == hi || !c.span(k+1, 4*int(lo), 4*int(hi-lo)) {
		return nil
	}
	vals := c.adjVal[a][lo:hi:hi]
	for _, v := range vals {
		if v < 0 || int(v) >= c.n {
			c.damaged = true
			return nil
		}
	}
	return vals
}

// List names a list column.
type List int

const (
	ListFQN  List = listFQN
	ListTags List = listTags
)

// Holding returns the nodes whose list l holds s, as a bitset (node i is bit i%64 of word
// i/64), comparing references only (strings are interned): a question for one tag or one name
// then reads no string of the nodes that cannot match. nil when damaged.
func (c *Columns) Holding(l List, s string) []uint64 {
	return c.holding(int(l), s, 0)
}

// FQNCandidates returns the nodes whose fqn holds first or is loose (nodeFQNLoose), as Holding
// does: the nodes an fqn pattern whose first part is first can select (see the selector's
// columnsView.candidates).
func (c *Columns) FQNCandidates(first string) []uint64 {
	return c.holding(listFQN, first, nodeFQNLoose)
}

// holding is Holding of list l and string s, with the nodes that have flag set too (0: none).
func (c *Columns) holding(l int, s string, flag byte) []uint64 {
	ref, found := c.lookup(s)
	off, vals := c.list(l)
	if off == nil || flag != 0 && !c.need(secFlags) || c.damaged {
		return nil
	}
	out := make([]uint64, (c.n+63)/64)
	if flag != 0 {
		for i, f := range c.flags {
			if f&flag != 0 {
				out[i>>6] |= 1 << (i & 63)
			}
		}
	}
	if !found {
		return out
	}
	// One pass over the values, finding each one's node from the offsets as it goes.
	i := 0
	for k, v := range vals {
		if v != ref {
			continue
		}
		for off[i+1] <= uint32(k) {
			i++
		}
		out[i>>6] |= 1 << (i & 63)
	}
	return out
}

// lookup finds s's reference in the dictionary of the fqn parts and tags.
func (c *Columns) lookup(s string) (uint64, bool) {
	if s == "" || !c.need(secDict) || len(c.dict) == 0 {
		return 0, false
	}
	mask := uint64(len(c.dict) - 1)
	h := fnvBytes(fnvOffset, unsafe.Slice(unsafe.StringData(s), len(s))) & mask
	for range c.dict { // a damaged table may have no empty slot: probe each slot once at most
		if !c.word(secDict, int(8*h)) {
			return 0, false
		}
		ref := c.dict[h]
		if ref == 0 {
			return 0, false
		}
		if ref&maxRefLen == uint64(len(s)) && c.str(ref) == s {
			return ref, true
		}
		h = (h + 1) & mask
	}
	return 0, false
}

// fnvOffset is FNV-1a's offset basis.
const fnvOffset = 14695981039346656037

// dictionary is the open-addressing table of refs (a power of two slots, linear probing by
// FNV-1a, 0 for empty) that lookup searches; refs are distinct and sorted, so the same graph
// gives the same bytes.
func (w *columnsWriter) dictionary(refs []uint64) []byte {
	size := 1
	for size < 2*len(refs) {
		size *= 2
	}
	slots := make([]uint64, size)
	mask := uint64(size - 1)
	for _, ref := range refs {
		off := ref >> refLenBits
		h := fnvBytes(fnvOffset, w.blob[off:off+ref&maxRefLen]) & mask
		for slots[h] != 0 {
			h = (h + 1) & mask
		}
		slots[h] = ref
	}
	out := make([]byte, 0, 8*size)
	for _, r := range slots {
		out = binary.LittleEndian.AppendUint64(out, r)
	}
	return out
}

// ByID returns the node indexes in unique-id order (nil when damaged).
func (c *Columns) ByID() []int32 {
	if !c.need(secByID) {
		return nil
	}
	return c.byID
}

// NewAnswer starts keeping what a command prints about the manifest for question, under the
// same header as the columns (see Graph.NewAnswer).
func (c *Columns) NewAnswer(question []byte) (*AnswerWriter, error) {
	w, err := newAnswerWriter(answerFile(c.manifest, c.dir), question)
	if err == nil {
		w.header = c.header
	}
	return w, err
}

// Reader fills a Node with some fields of each node it is asked for. What it reads is worked
// out once, in Reader: Node runs for every node a selection walks, so it only copies.
type Reader struct {
	c      *Columns
	fields Fields
	node   Node
	test   TestMetadata
	strs   []readerString
	lists  []readerList
	flags  []byte // nil unless a field reads them
}

// readerString is a string column and the Node field it fills.
type readerString struct {
	k   int // the section
	col []uint64
	dst *string
}

// readerList is a list column and the Node field it fills (buf is reused between nodes).
type readerList struct {
	off []uint32
	val []uint64
	dst *[]string
	buf []string
}

// fieldColumns are the string columns each field reads.
var fieldColumns = [...]struct {
	f    Fields
	cols []int
}{
	{FieldID, []int{colUniqueID}},
	{FieldName, []int{colName}},
	{FieldType, []int{colResourceType}},
	{FieldPackage, []int{colPackage}},
	{FieldSource, []int{colSourceName}},
	{FieldVersion, []int{colVersion, colLatestVersion}},
	{FieldPaths, []int{colOriginalPath, colPatchPath}},
	{FieldConfig, []int{colMaterialized, colSchema, colDatabase, colAlias, colSeverity, colGroup, colAccess}},
	{FieldTest, []int{colTestName}},
}

// Reader returns a reader of fields; the sections they need are checked now (see Damaged).
func (c *Columns) Reader(fields Fields) *Reader {
	r := &Reader{c: c, fields: fields}
	n := &r.node
	dst := [numStringColumns]*string{&n.UniqueID, &n.Name, &n.ResourceType, &n.Package, &n.OriginalPath, &n.PatchPath,
		&n.Version, &n.LatestVersion, &n.SourceName, &n.Config.Materialized, &n.Config.Schema, &n.Config.Database,
		&n.Config.Alias, &n.Config.Severity, &n.Config.Group, &n.Config.Access, &r.test.Name}
	for _, fc := range fieldColumns {
		if fields&fc.f != 0 {
			for _, k := range fc.cols {
				if col := c.stringColumn(k); col != nil {
					r.strs = append(r.strs, readerString{k: secStrings + k, col: col, dst: dst[k]})
				}
			}
		}
	}
	listDst := [numLists]*[]string{&n.FQN, &n.Tags, &n.Config.Tags}
	for l, f := range [numLists]Fields{FieldFQN, FieldTags, FieldConfig} {
		if fields&f != 0 {
			if off, val := c.list(l); off != nil {
				r.lists = append(r.lists, readerList{off: off, val: val, dst: listDst[l]})
			}
		}
	}
	if fields&(FieldConfig|FieldTest) != 0 && c.need(secFlags) {
		r.flags = c.flags
	}
	return r
}

// Node returns node i with the reader's fields filled in. The Node is the reader's own, reused
// by the next call; a damaged section leaves its fields empty (see Columns.Damaged).
func (r *Reader) Node(i int) *Node {
	c, n := r.c, &r.node
	if c.damaged {
		*n = Node{}
		return n
	}
	for _, s := range r.strs {
		if !c.word(s.k, 8*i) {
			*n = Node{}
			return n
		}
		*s.dst = c.str(s.col[i])
	}
	for k := range r.lists {
		l := &r.lists[k]
		out := l.buf[:0]
		for _, ref := range l.val[l.off[i]:l.off[i+1]] {
			out = append(out, c.str(ref))
		}
		l.buf = out
		if len(out) == 0 {
			out = nil
		}
		*l.dst = out
	}
	if r.flags != nil {
		f := r.flags[i]
		n.Config.Enabled = f&nodeEnabled != 0
		n.Disabled = f&nodeDisabled != 0
		n.TestMetadata = nil
		if f&nodeTestMetadata != 0 {
			n.TestMetadata = &r.test
		}
	}
	return n
}

// writeColumns writes g's selection columns beside its index in dir, under header h.
func writeColumns(g *Graph, path, dir string, h cacheHeader) error {
	return startColumns(g)(path, dir, h)
}

// startColumns encodes g's selection columns on another core; the function it returns waits
// for them and writes them beside the index in dir, under header h (known only once the
// index is written: a racy header holds the manifest's full CRC).
func startColumns(g *Graph) func(path, dir string, h cacheHeader) error {
	type encoded struct {
		sec  [numSections][]byte
		crcs [numSections]uint32
		lens [numSections]int
		err  error
	}
	done := make(chan encoded, 1)
	go func() {
		var e encoded
		e.sec, e.crcs, e.lens, e.err = encodeColumns(g)
		done <- e
	}()
	return func(path, dir string, h cacheHeader) error {
		e := <-done
		if e.err != nil {
			_ = os.Remove(columnsFile(path, dir))
			return e.err
		}
		return writeColumnsFile(columnsFile(path, dir), appendColumns(nil, &h, g.Len(), e.crcs, e.lens, nil), e.sec[:]...)
	}
}

// writeColumnsFile replaces file with head and the data, atomically but not synced: every byte is
// under a CRC and every section inside the file's length is checked, so a file a crash cut
// short or left unwritten is found and written again, and a cold load does not wait for the
// disk (tens of MB at 100k nodes).
// The data is written as sections, each padded to a multiple of 8 (as joinSections lays them),
// or as one piece already laid out.
func writeColumnsFile(file string, head []byte, sections ...[]byte) error {
	s, err := atomicfile.Create(file, atomicfile.Options{Perm: 0o600, NoSync: true})
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(s, 1<<20)
	w.Write(head)
	for _, sec := range sections {
		w.Write(sec)
		w.Write(zeroPad[:align8(len(sec))-len(sec)])
	}
	if err := w.Flush(); err != nil {
		s.Abort()
		return err
	}
	return s.Commit()
}

// sectionLens are the lengths of the sections.
func sectionLens(sec [numSections][]byte) (lens [numSections]int) {
	for k, s := range sec {
		lens[k] = len(s)
	}
	return lens
}

// appendColumns appends a whole columns file: magic, version, head, padding, data (the
// sections laid end to end, each padded to a multiple of 8, as encodeColumns lays them).
func appendColumns(out []byte, h *cacheHeader, nodes int, crcs [numSections]uint32, lens [numSections]int, data []byte) []byte {
	start := len(out)
	out = append(out, columnsMagic...)
	out = append(out, columnsVersion, 0, 0, 0, 0)
	out = h.append(out)
	out = binary.LittleEndian.AppendUint32(out, uint32(nodes))
	off := 0
	for k := range lens {
		out = binary.LittleEndian.AppendUint64(out, uint64(off))
		out = binary.LittleEndian.AppendUint64(out, uint64(lens[k]))
		out = binary.LittleEndian.AppendUint32(out, crcs[k])
		off = align8(off + lens[k])
	}
	pre := start + len(columnsMagic) + 1
	binary.LittleEndian.PutUint32(out[pre:], uint32(len(out)-pre-4))
	out = binary.LittleEndian.AppendUint32(out, crc32.Checksum(out[start:], castagnoli()))
	for (len(out)-start)%8 != 0 {
		out = append(out, 0)
	}
	return append(out, data...)
}

func align8(n int) int { return (n + 7) &^ 7 }

var errLongString = errors.New("a string too long for the columns file")

// columnsWriter interns strings into the strings section.
type columnsWriter struct {
	blob []byte
	at   map[string]uint64
	err  error
}

func (w *columnsWriter) ref(s string) uint64 {
	if s == "" {
		return 0
	}
	if r, ok := w.at[s]; ok {
		return r
	}
	if len(s) > maxRefLen {
		w.err = errLongString
		return 0
	}
	r := uint64(len(w.blob))<<refLenBits | uint64(len(s))
	w.at[s] = r
	w.blob = append(w.blob, s...)
	return r
}

// recent interns s among the last few strings of its column only: the tests of one file,
// next to each other in the graph, share its path.
func (w *columnsWriter) recent(last *[4]struct {
	s string
	r uint64
}, s string) uint64 {
	for _, e := range last {
		if e.r != 0 && e.s == s {
			return e.r
		}
	}
	r := w.unique(s)
	copy(last[1:], last[:3])
	last[0].s, last[0].r = s, r
	return r
}

// unique appends s to the strings without interning it.
func (w *columnsWriter) unique(s string) uint64 {
	if s == "" {
		return 0
	}
	if len(s) > maxRefLen {
		w.err = errLongString
		return 0
	}
	r := uint64(len(w.blob))<<refLenBits | uint64(len(s))
	w.blob = append(w.blob, s...)
	return r
}

// stringFields are node n's string columns, in column order.
func stringFields(n *Node) [numStringColumns]string {
	test := ""
	if n.TestMetadata != nil {
		test = n.TestMetadata.Name
	}
	c := &n.Config
	return [numStringColumns]string{n.UniqueID, n.Name, n.ResourceType, n.Package, n.OriginalPath, n.PatchPath, n.Version,
		n.LatestVersion, n.SourceName, c.Materialized, c.Schema, c.Database, c.Alias, c.Severity, c.Group, c.Access, test}
}

// vocabularyColumns are the string columns whose values repeat across nodes: they are interned
// first, so the few blocks that hold them are the ones most questions read.
var vocabularyColumns = [...]int{colResourceType, colPackage, colVersion, colLatestVersion, colMaterialized, colSchema,
	colDatabase, colSeverity, colGroup, colAccess, colTestName, colSourceName}

// encodeColumns lays out g's sections (each padded to a multiple of 8) and returns them with
// their CRCs and lengths.
func encodeColumns(g *Graph) (sec [numSections][]byte, crcs [numSections]uint32, lens [numSections]int, err error) {
	n := g.Len()
	// Sized for the strings of a typical node (its id, name, paths and a share of the
	// vocabulary), so the strings are not copied as they grow.
	w := &columnsWriter{at: make(map[string]uint64, n*2), blob: make([]byte, 0, 128*n)}
	var last [numStringColumns]struct {
		s string
		r uint64
	}
	// vocab interns a vocabulary column's value: neighbours mostly share it (a type, a
	// package, a schema), so the last one is compared before the map is asked.
	vocab := func(k int, s string) uint64 {
		if s == "" {
			return 0
		}
		if e := &last[k]; e.r != 0 && e.s == s {
			return e.r
		}
		r := w.ref(s)
		last[k].s, last[k].r = s, r
		return r
	}
	for i := range g.Nodes {
		nd := &g.Nodes[i]
		f := stringFields(nd)
		for _, k := range vocabularyColumns {
			vocab(k, f[k])
		}
		for _, t := range nd.Tags {
			w.ref(t)
		}
		for _, t := range nd.Config.Tags {
			w.ref(t)
		}
	}
	var strs [numStringColumns][]byte
	for k := range strs {
		strs[k] = make([]byte, 0, 8*n)
	}
	var listOff, listVal [numLists][]byte
	flags := make([]byte, n)
	var dict []uint64 // the fqn parts' and tags' references, repeated
	for l := range listOff {
		listOff[l] = binary.LittleEndian.AppendUint32(make([]byte, 0, 4*(n+1)), 0)
	}
	// Interning is what costs here (a map of every distinct string), so only what must be
	// compared by reference (fqn parts, tags) or repeats (the vocabulary, paths of the tests of
	// one file) goes through the map: a unique id is appended as it is, a name is its fqn's
	// last part.
	var recent [2][4]struct {
		s string
		r uint64
	}
	var lastList [numLists][8]struct {
		s string
		r uint64
	}
	for i := range g.Nodes {
		nd := &g.Nodes[i]
		loose := nd.Version != ""
		leaf := uint64(0)
		for l, list := range [numLists][]string{nd.FQN, nd.Tags, nd.Config.Tags} {
			for p, s := range list {
				var r uint64
				// The same position of the last node's list mostly holds the same string
				// (the project, a folder, a tag).
				if e := &lastList[l][p%len(lastList[l])]; e.r != 0 && e.s == s {
					r = e.r
				} else {
					r = w.ref(s)
					e.s, e.r = s, r
				}
				listVal[l] = binary.LittleEndian.AppendUint64(listVal[l], r)
				if l != listConfigTags && r != 0 {
					dict = append(dict, r)
				}
				if l == listFQN {
					leaf = r
					loose = loose || strings.IndexByte(s, '.') >= 0
				}
			}
			listOff[l] = binary.LittleEndian.AppendUint32(listOff[l], uint32(len(listVal[l])/8))
		}
		f := stringFields(nd)
		for k, s := range f {
			var r uint64
			switch {
			case k == colUniqueID:
				r = w.unique(s)
			case k == colName && len(nd.FQN) > 0 && s == nd.FQN[len(nd.FQN)-1]:
				r = leaf
			case k == colOriginalPath || k == colPatchPath:
				r = w.recent(&recent[k-colOriginalPath], s)
			default:
				r = vocab(k, s)
			}
			strs[k] = binary.LittleEndian.AppendUint64(strs[k], r)
		}
		var fl byte
		for bit, on := range [...]bool{nd.GraphMember(), nd.Config.Enabled, nd.Disabled, nd.TestMetadata != nil, g.ParentsComplete(i), loose} {
			if on {
				fl |= 1 << bit
			}
		}
		flags[i] = fl
	}
	if w.err != nil {
		return sec, crcs, lens, w.err
	}
	var origin []byte
	plain := func(s string) { origin = append(binary.AppendUvarint(origin, uint64(len(s))), s...) }
	plain(g.Origin.DBTVersion)
	origin = binary.AppendUvarint(origin, uint64(g.Origin.SchemaVersion))
	plain(g.Origin.ProjectName)
	plain(g.Origin.SchemaWarning)
	sec[secOrigin] = origin
	sec[secFlags] = flags
	sec[secByID] = appendInt32s(nil, byUniqueID(g))
	sec[secBlob] = w.blob
	slices.Sort(dict)
	sec[secDict] = w.dictionary(slices.Compact(dict))
	for k := range strs {
		sec[secStrings+k] = strs[k]
	}
	for l := range listOff {
		sec[secListOff+2*l], sec[secListOff+2*l+1] = listOff[l], listVal[l]
	}
	sec[secParentOff], sec[secParents] = encodeEdges(g.Len(), g.Parents)
	sec[secChildOff], sec[secChildren] = encodeEdges(g.Len(), g.Children)
	words := make([]uint64, (n+63)/64)
	for i := range g.Nodes {
		if g.Nodes[i].GraphMember() {
			words[i/64] |= 1 << (i % 64)
		}
	}
	for _, w := range words {
		sec[secMembers] = binary.LittleEndian.AppendUint64(sec[secMembers], w)
	}
	sec[secBlockCRC] = blockCRCs(&sec) // last: it covers the lazy sections above
	for k, s := range sec {
		lens[k] = len(s)
		if !lazySection(k) {
			crcs[k] = crcParallel(s)
		}
	}
	return sec, crcs, lens, nil
}

// joinSections lays the sections end to end, each padded to a multiple of 8: the file's data.
func joinSections(sec *[numSections][]byte) []byte {
	size := 0
	for _, s := range sec {
		size += align8(len(s))
	}
	data := make([]byte, 0, size)
	for _, s := range sec {
		data = append(data, s...)
		data = append(data, zeroPad[:align8(len(s))-len(s)]...)
	}
	return data
}

var zeroPad [8]byte

// blockCRCs are the CRCs of the lazy sections' blocks, section after section.
func blockCRCs(sec *[numSections][]byte) []byte {
	var out []byte
	for k, s := range sec {
		if !lazySection(k) {
			continue
		}
		for off := 0; off < len(s); off += blobBlock {
			out = binary.LittleEndian.AppendUint32(out, crc32.Checksum(s[off:min(len(s), off+blobBlock)], castagnoli()))
		}
	}
	return out
}

// encodeEdges encodes each node's neighbours as an offsets section and a values section.
func encodeEdges(n int, next func(i int) []int32) (off, vals []byte) {
	off = binary.LittleEndian.AppendUint32(make([]byte, 0, 4*(n+1)), 0)
	count := 0
	for i := range n {
		vals = appendInt32s(vals, next(i))
		count += len(next(i))
		off = binary.LittleEndian.AppendUint32(off, uint32(count))
	}
	return off, vals
}

func appendInt32s(b []byte, v []int32) []byte {
	for _, x := range v {
		b = binary.LittleEndian.AppendUint32(b, uint32(x))
	}
	return b
}

// byUniqueID returns g's node indexes in unique-id order.
func byUniqueID(g *Graph) []int32 {
	order := make([]int32, g.Len())
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return strings.Compare(g.Nodes[a].UniqueID, g.Nodes[b].UniqueID) })
	return order
}

// littleEndian reports whether this machine stores integers little endian, as the file does:
// its sections are then used in place.
func littleEndian() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}

// valuesOf views a section as n values of T in place (sections start at multiples of 8 of a
// page-aligned mapping); a section that is not aligned (a buffer of a test's) is copied, byte
// for byte, since the file's byte order is this machine's (see readHead). ok is false when its
// length is not n values.
func valuesOf[T uint32 | int32 | uint64](b []byte, n int) ([]T, bool) {
	size := int(unsafe.Sizeof(T(0)))
	if len(b) != size*n {
		return nil, false
	}
	if n == 0 {
		return []T{}, true
	}
	if uintptr(unsafe.Pointer(&b[0]))%uintptr(size) != 0 {
		out := make([]T, n)
		copy(unsafe.Slice((*byte)(unsafe.Pointer(&out[0])), len(b)), b)
		return out, true
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&b[0])), n), true
}

// ColumnsOf returns g's selection columns built in memory, not tied to a manifest file: for
// evaluating selections over columns in tests and benchmarks without a cache folder.
func ColumnsOf(g *Graph) (*Columns, error) {
	sec, crcs, lens, err := encodeColumns(g)
	if err != nil {
		return nil, err
	}
	c := &Columns{data: appendColumns(nil, &cacheHeader{}, g.Len(), crcs, lens, joinSections(&sec))}
	if _, ok := c.readHead(); !ok || !c.origin0() {
		return nil, errors.New("columns: the file just encoded does not read back")
	}
	return c, nil
}
