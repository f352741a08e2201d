package dbt

// Kept answers: what a command printed about a manifest, printed again when the same question
// is asked of the same manifest.
//
// A warm start decodes the index in time that grows with the manifest (about 2 µs a node), and
// `ls` then prints every line again: +200 ms at 108k nodes for an answer that cannot have
// changed. A command whose output depends only on the manifest and on its question (its
// arguments, the folders and environment they were read in, the binary answering: the caller
// turns all of it into the question's bytes) keeps its output next to the index, under the
// index's trust rules (the manifest's stamp, its sampled blocks, the racy rule; see cache.go),
// and prints it again as long as both are the same: constant work plus the copy of the output.
// One answer is kept per manifest, the last one asked; a new question replaces it.
//
// The output is kept as it was printed, and only what no cleaning changed may be kept (the
// caller knows, see ls), so the file holds nothing a secret rule would have taken out; the
// caller checks it against the secrets known at replay before printing it (redact.ContainsKnown).
//
// Format: magic "DTUIANS" and a format version byte; the output; then the manifest's cache
// header (as the index's), the SHA-256 of the question, the output's length (8 bytes), and a
// CRC-32C of everything before it. The output comes first so that it is written to the file as
// it is printed, without a copy in memory; the header's fields are known only at the end.

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"

	"github.com/datatui/datatui/internal/atomicfile"
)

const (
	answerMagic   = "DTUIANS"
	answerVersion = 1
	// answerMax is the longest output kept: a longer one would cost more to write on every
	// new question than printing it again saves (a JSON listing of 108k nodes is 400 MB).
	answerMax = 64 << 20
	// answerTrailer is the fixed part after the header: the question's hash, the length, the CRC.
	answerTrailer = sha256.Size + 8 + 4
)

// answerFile is where the answer about the manifest at path is kept: beside its index.
func answerFile(path, dir string) string {
	return strings.TrimSuffix(cacheFile(path, dir), ".idx") + ".ans"
}

// AnswerWriter writes an answer to its file as the output is printed.
type AnswerWriter struct {
	stream *atomicfile.Stream
	// g and dir: the header is g's in dir, known once g's index cache is written (Keep).
	g        *Graph
	dir      string
	question []byte
	header   cacheHeader // when g is nil
	crc      uint32
	n        int
	failed   bool // a write failed or the output grew past answerMax
	file     string
}

// NewAnswer starts keeping what a command prints about g for question, in dir beside g's index.
// question must hold everything else the output depends on; a graph changed after loading (a
// catalog merged in) is no longer what the manifest says and must not have answers kept. It
// keeps nothing for a graph that was not loaded through the index cache of dir: only then is it
// known which state of the manifest the output describes.
func (g *Graph) NewAnswer(dir string, question []byte) (*AnswerWriter, error) {
	if g.cacheDone == nil && !g.cachedThrough(dir) {
		return nil, errNotCached
	}
	w, err := newAnswerWriter(answerFile(g.Origin.Path, dir), question)
	if err == nil {
		w.g, w.dir = g, dir
	}
	return w, err
}

var errNotCached = errors.New("the graph does not come from this index cache")

// cachedThrough reports whether g was loaded through the index cache in dir (after WaitCache
// when it is written aside).
func (g *Graph) cachedThrough(dir string) bool {
	return g.cached != nil && g.cached.dir == filepath.Clean(dir)
}

func newAnswerWriter(file string, question []byte) (*AnswerWriter, error) {
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return nil, err
	}
	// Not synced: a file cut short by a crash fails its length or CRC and is not read back.
	stream, err := atomicfile.Create(file, atomicfile.Options{Perm: 0o600, NoSync: true})
	if err != nil {
		return nil, err
	}
	w := &AnswerWriter{stream: stream, question: question, file: file}
	w.put(append([]byte(answerMagic), answerVersion))
	w.n = 0 // n counts the output
	return w, nil
}

func (w *AnswerWriter) put(p []byte) {
	if w.failed {
		return
	}
	if _, err := w.stream.Write(p); err != nil {
		w.failed = true
		return
	}
	w.crc = crc32.Update(w.crc, castagnoli(), p)
	w.n += len(p)
}

// Write takes the next part of the output. It never fails: keeping an answer only saves the
// next start some time, and must not cut the output short.
func (w *AnswerWriter) Write(p []byte) (int, error) {
	if w.n+len(p) > answerMax {
		w.failed = true
	}
	w.put(p)
	return len(p), nil
}

// Keep puts the answer in place of the one kept before.
func (w *AnswerWriter) Keep() error {
	h := w.header
	if w.g != nil {
		w.g.WaitCache()
		if !w.g.cachedThrough(w.dir) {
			w.Discard()
			return errNotCached
		}
		h = w.g.cached.header
	}
	if w.failed {
		w.Discard()
		return errors.New("the answer could not be written whole")
	}
	sum := sha256.Sum256(w.question)
	trailer := h.append(nil)
	trailer = append(trailer, sum[:]...)
	trailer = binary.LittleEndian.AppendUint64(trailer, uint64(w.n))
	w.put(trailer)
	w.put(binary.LittleEndian.AppendUint32(nil, w.crc))
	if w.failed {
		w.Discard()
		return errors.New("the answer could not be written whole")
	}
	return w.stream.Commit()
}

// Discard leaves the answer out, and the one kept before goes too: what the command printed
// this time is not to be kept, so no older output of it stays on disk either.
func (w *AnswerWriter) Discard() {
	w.stream.Abort()
	_ = os.Remove(w.file)
}

// ForgetAnswer removes the answer kept in dir about the manifest at path, if any.
func ForgetAnswer(path, dir string) {
	if dir != "" {
		_ = os.Remove(answerFile(path, dir))
	}
}

// Answer is a kept answer, read from its file's mapping.
type Answer struct {
	// Output is what was printed. It is valid until Release.
	Output  []byte
	Release func()
}

// ReadAnswer returns the answer kept in dir for question about the manifest at path, when the
// manifest is the one the answer was printed from.
func ReadAnswer(path, dir string, question []byte) (Answer, bool) {
	if dir == "" {
		return Answer{}, false
	}
	st, err := os.Stat(path)
	if err != nil || st.IsDir() {
		return Answer{}, false
	}
	file := answerFile(path, dir)
	data, unmap, err := mapFile(file)
	if err != nil {
		return Answer{}, false
	}
	h, out, ok := decodeAnswer(data, question)
	if !ok {
		unmap()
		return Answer{}, false
	}
	trusted, settle := h.trustsFile(path, st)
	if !trusted {
		unmap()
		return Answer{}, false
	}
	if settle {
		if w, err := newAnswerWriter(file, question); err == nil {
			w.header = h
			w.Write(out)
			_ = w.Keep()
		}
	}
	return Answer{Output: out, Release: unmap}, true
}

// decodeAnswer checks a kept answer's magic, version and CRC and that it answers question, and
// returns its header and output.
func decodeAnswer(data, question []byte) (cacheHeader, []byte, bool) {
	var h cacheHeader
	start := len(answerMagic) + 1
	if len(data) < start+answerTrailer || !bytes.HasPrefix(data, []byte(answerMagic)) || data[len(answerMagic)] != answerVersion {
		return h, nil, false
	}
	body := data[:len(data)-4]
	if crcParallel(body) != binary.LittleEndian.Uint32(data[len(data)-4:]) {
		return h, nil, false
	}
	n := binary.LittleEndian.Uint64(body[len(body)-8:])
	if n > uint64(len(body)-start-(answerTrailer-4)) {
		return h, nil, false
	}
	end := start + int(n)
	// The header has the index's layout; the index's reader reads it.
	r := &cacheReader{b: body[:len(body)-8], i: end}
	h, ok := r.headerFields()
	sum := sha256.Sum256(question)
	if !ok || r.i+len(sum) != len(r.b) || !bytes.Equal(r.b[r.i:], sum[:]) {
		return h, nil, false
	}
	return h, data[start:end], true
}

// cachedSource is which index cache a graph was loaded through and the manifest's header in
// it: the state of the manifest the graph describes.
type cachedSource struct {
	path, dir string
	header    cacheHeader
}

// cachedIn records that g describes the manifest at path as h says, through the cache in dir.
func (g *Graph) cachedIn(path, dir string, h cacheHeader) {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	g.cached = &cachedSource{path: abs, dir: filepath.Clean(dir), header: h}
}
