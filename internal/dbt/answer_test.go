package dbt

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/datatui/datatui/internal/dbt/dbttest"
)

// shopCopy writes the shop manifest into a folder of its own with an old mtime, and returns
// its path and a cache folder beside it.
func shopCopy(t *testing.T) (path, cache string) {
	t.Helper()
	src, err := os.ReadFile(dbttest.ShopManifest(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path = filepath.Join(dir, "manifest.json")
	if err := os.WriteFile(path, src, 0o644); err != nil {
		t.Fatal(err)
	}
	past := time.Date(2024, 5, 1, 12, 0, 0, 123456789, time.UTC)
	os.Chtimes(path, past, past)
	return path, filepath.Join(dir, "cache")
}

// TestAnswerKept: an answer kept for a graph loaded through the index cache is read back for
// the same question of the same manifest, whether the graph came from a cold load (which wrote
// the index) or from the index; nothing else reads it back.
func TestAnswerKept(t *testing.T) {
	settled(t)
	path, cache := shopCopy(t)
	question, out := []byte("ls -s orders+"), []byte("shop.orders\nshop.orders_daily\n")
	for _, load := range []string{"cold", "warm"} {
		g, err := LoadManifest(path, LoadOptions{CacheDir: cache})
		if err != nil {
			t.Fatal(err)
		}
		if err := keepAnswer(g, cache, question, out); err != nil {
			t.Fatalf("%s: %v", load, err)
		}
		ans, ok := ReadAnswer(path, cache, question)
		if !ok || !bytes.Equal(ans.Output, out) {
			t.Fatalf("%s: answer %q, %v", load, ans.Output, ok)
		}
		ans.Release()
	}
	if _, ok := ReadAnswer(path, cache, []byte("ls -s orders")); ok {
		t.Error("an answer read back for another question")
	}
	if _, ok := ReadAnswer(path, filepath.Join(cache, "other"), question); ok {
		t.Error("an answer read back from another cache folder")
	}
	// A graph that did not come through this cache describes no known state of the manifest.
	g, err := LoadManifest(path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if keepAnswer(g, cache, question, out) == nil {
		t.Error("an answer kept for a graph loaded without the cache")
	}
	g, _ = LoadManifest(path, LoadOptions{CacheDir: cache})
	if keepAnswer(g, t.TempDir(), question, out) == nil {
		t.Error("an answer kept in a cache folder the graph was not loaded through")
	}
	// An empty answer (nothing selected, warnings left out) is an answer too.
	if err := keepAnswer(g, cache, question, nil); err != nil {
		t.Fatal(err)
	}
	if ans, ok := ReadAnswer(path, cache, question); !ok || len(ans.Output) != 0 {
		t.Fatalf("empty answer: %q, %v", ans.Output, ok)
	}
}

// TestAnswerFollowsTheManifest: an answer is trusted by the index's rules; a changed manifest
// leaves it unread, even when its stamp is restored.
func TestAnswerFollowsTheManifest(t *testing.T) {
	settled(t)
	question, out := []byte("q"), []byte("a\n")
	cases := []struct {
		name   string
		change func(t *testing.T, path string)
	}{
		{"touched", func(t *testing.T, path string) {
			now := time.Now()
			os.Chtimes(path, now, now)
		}},
		{"rewritten with its times restored", func(t *testing.T, path string) {
			st, _ := os.Stat(path)
			b, _ := os.ReadFile(path)
			b[len(b)/2] ^= 0x01
			os.WriteFile(path, b, 0o644)
			os.Chtimes(path, st.ModTime(), st.ModTime())
		}},
		{"replaced by another file", func(t *testing.T, path string) {
			st, _ := os.Stat(path)
			b, _ := os.ReadFile(path)
			os.WriteFile(path+".new", b, 0o644)
			os.Chtimes(path+".new", st.ModTime(), st.ModTime())
			os.Rename(path+".new", path)
		}},
		{"removed", func(t *testing.T, path string) { os.Remove(path) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path, cache := shopCopy(t)
			g, err := LoadManifest(path, LoadOptions{CacheDir: cache})
			if err != nil {
				t.Fatal(err)
			}
			if err := keepAnswer(g, cache, question, out); err != nil {
				t.Fatal(err)
			}
			c.change(t, path)
			if _, ok := ReadAnswer(path, cache, question); ok {
				t.Fatal("answer read back for a changed manifest")
			}
		})
	}
}

// TestAnswerDamaged: an answer file cut short, changed or replaced by something else is not
// read back.
func TestAnswerDamaged(t *testing.T) {
	settled(t)
	path, cache := shopCopy(t)
	question := []byte("q")
	g, err := LoadManifest(path, LoadOptions{CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	if err := keepAnswer(g, cache, question, []byte("shop.orders\n")); err != nil {
		t.Fatal(err)
	}
	file := answerFile(path, cache)
	good, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{
		"empty":           {},
		"cut short":       good[:len(good)-3],
		"a byte changed":  append(append(bytes.Clone(good[:len(good)-8]), good[len(good)-8]^1), good[len(good)-7:]...),
		"another version": append(append([]byte(answerMagic), answerVersion+1), good[len(answerMagic)+1:]...),
		"an index":        mustRead(t, cacheFile(path, cache)),
	} {
		os.WriteFile(file, b, 0o600)
		if _, ok := ReadAnswer(path, cache, question); ok {
			t.Errorf("%s: read back", name)
		}
	}
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestAnswerRacy: an answer kept for a manifest read right after it was written is racy like
// its index: read back only after the whole manifest hashes the same, not read back when it
// changed within the window without its stamp changing, and rewritten as settled once the
// manifest is old enough.
func TestAnswerRacy(t *testing.T) {
	src, err := os.ReadFile(dbttest.ShopManifest(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path, cache := filepath.Join(dir, "manifest.json"), filepath.Join(dir, "cache")
	os.WriteFile(path, src, 0o644)
	g, err := LoadManifest(path, LoadOptions{CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	question, out := []byte("q"), []byte("shop.orders\n")
	if err := keepAnswer(g, cache, question, out); err != nil {
		t.Fatal(err)
	}
	header := func() cacheHeader {
		h, _, ok := decodeAnswer(mustRead(t, answerFile(path, cache)), question)
		if !ok {
			t.Fatal("answer not decoded")
		}
		return h
	}
	if !header().racy {
		t.Fatal("an answer about a fresh manifest is not racy")
	}
	if _, ok := ReadAnswer(path, cache, question); !ok {
		t.Fatal("racy answer of an unchanged manifest not read back")
	}
	if !header().racy {
		t.Fatal("answer settled while the manifest is still racy")
	}
	// Changed within the same tick: same size and times, a byte between the sampled blocks.
	st, _ := os.Stat(path)
	spans := sampleSpans(st.Size())
	edited := bytes.Clone(src)
	if len(spans) > 1 {
		edited[spans[0][1]+10] ^= 0x01
	} else {
		edited[len(edited)/2] ^= 0x01
	}
	os.WriteFile(path, edited, 0o644)
	os.Chtimes(path, st.ModTime(), st.ModTime())
	if cur, _ := os.Stat(path); stampOf(cur).size != stampOf(st).size || stampOf(cur).mtime != stampOf(st).mtime {
		t.Fatal("the edit must keep size and mtime")
	}
	if _, ok := ReadAnswer(path, cache, question); ok {
		t.Fatal("racy answer read back after the manifest changed within the window")
	}
	// Put back, and later: read back and settled.
	os.WriteFile(path, src, 0o644)
	g, _ = LoadManifest(path, LoadOptions{CacheDir: cache})
	if err := keepAnswer(g, cache, question, out); err != nil {
		t.Fatal(err)
	}
	settled(t)
	if ans, ok := ReadAnswer(path, cache, question); !ok || !bytes.Equal(ans.Output, out) {
		t.Fatal("answer not read back once the manifest is old")
	}
	if header().racy {
		t.Fatal("answer still racy once the manifest is old")
	}
}

// keepAnswer keeps out as g's answer to question, written in two parts as a listing is.
func keepAnswer(g *Graph, dir string, question, out []byte) error {
	w, err := g.NewAnswer(dir, question)
	if err != nil {
		return err
	}
	w.Write(out[:len(out)/2])
	w.Write(out[len(out)/2:])
	return w.Keep()
}

// encodeAnswer is the file the answer writer writes for h, question and out.
func encodeAnswer(t testing.TB, h cacheHeader, question, out []byte) []byte {
	file := filepath.Join(t.TempDir(), "a.ans")
	w, err := newAnswerWriter(file, question)
	if err != nil {
		t.Fatal(err)
	}
	w.header = h
	w.Write(out)
	if err := w.Keep(); err != nil {
		t.Fatal(err)
	}
	return mustRead(t, file)
}

// TestAnswerTooLong: an output longer than answerMax is not kept, and the answer kept before
// goes too.
func TestAnswerTooLong(t *testing.T) {
	settled(t)
	path, cache := shopCopy(t)
	g, err := LoadManifest(path, LoadOptions{CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	if err := keepAnswer(g, cache, []byte("short"), []byte("x\n")); err != nil {
		t.Fatal(err)
	}
	w, err := g.NewAnswer(cache, []byte("long"))
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 1<<20)
	for range answerMax>>20 + 1 {
		if n, err := w.Write(chunk); n != len(chunk) || err != nil {
			t.Fatalf("write: %d, %v", n, err)
		}
	}
	if w.Keep() == nil {
		t.Fatal("an answer past answerMax kept")
	}
	if _, err := os.Stat(answerFile(path, cache)); !os.IsNotExist(err) {
		t.Fatalf("the earlier answer stayed: %v", err)
	}
}

// FuzzDecodeAnswer: whatever an answer file holds, decoding does not panic, and what it
// accepts is exactly what the writer writes for the header, question and output it read.
func FuzzDecodeAnswer(f *testing.F) {
	h := cacheHeader{stamp: fileStamp{size: 10, mtime: 1, ctime: 2, dev: 3, ino: 4}, sample: 5}
	f.Add(encodeAnswer(f, h, []byte("q"), []byte("out\n")), []byte("q"))
	h.racy, h.full = true, [2]uint32{6, 7}
	f.Add(encodeAnswer(f, h, []byte("q"), nil), []byte("q"))
	f.Add([]byte(answerMagic), []byte(""))
	f.Fuzz(func(t *testing.T, data, question []byte) {
		hdr, out, ok := decodeAnswer(data, question)
		if !ok {
			return
		}
		if again := encodeAnswer(t, hdr, question, out); !bytes.Equal(again, data) {
			t.Fatalf("accepted %x, which the writer writes as %x", data, again)
		}
	})
}

// TestWriteCacheAside: a load that writes its index aside returns the decoded graph; the cache
// is there once WaitCache returns, and an answer started before that is kept against it.
func TestWriteCacheAside(t *testing.T) {
	settled(t)
	path, cache := shopCopy(t)
	g, err := LoadManifest(path, LoadOptions{CacheDir: cache, WriteCacheAside: true})
	if err != nil {
		t.Fatal(err)
	}
	w, err := g.NewAnswer(cache, []byte("q"))
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("shop.orders\n"))
	if err := w.Keep(); err != nil { // waits for the cache
		t.Fatal(err)
	}
	g.WaitCache()
	warm := warmFromCache(t, path, cache)
	if warm == nil {
		t.Fatal("no index cache after WaitCache")
	}
	fresh, _ := LoadManifest(path, LoadOptions{})
	assertSameGraph(t, fresh, warm)
	if ans, ok := ReadAnswer(path, cache, []byte("q")); !ok || string(ans.Output) != "shop.orders\n" {
		t.Fatalf("answer kept aside: %q, %v", ans.Output, ok)
	}
	// Without a cache folder there is nothing to wait for, and no answer.
	g, _ = LoadManifest(path, LoadOptions{WriteCacheAside: true})
	g.WaitCache()
	if _, err := g.NewAnswer(cache, []byte("q")); err == nil {
		t.Fatal("an answer for a graph loaded without a cache")
	}
}
