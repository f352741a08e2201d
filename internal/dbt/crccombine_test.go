package dbt

import (
	"hash/crc32"
	"math/rand/v2"
	"testing"
)

// TestCRC32Combine: the CRC of two parts combined is the CRC of the whole, at every kind of
// split (empty parts, one byte, odd and even lengths, a large second part).
func TestCRC32Combine(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	data := make([]byte, 3<<20+7)
	for i := range data {
		data[i] = byte(rnd.Uint32())
	}
	for _, split := range []int{0, 1, 2, 3, 7, 1000, 1 << 20, len(data)/2 + 1, len(data) - 1, len(data)} {
		a, b := data[:split], data[split:]
		got := crc32Combine(crc32.Checksum(a, castagnoli()), crc32.Checksum(b, castagnoli()), int64(len(b)))
		if want := crc32.Checksum(data, castagnoli()); got != want {
			t.Errorf("split at %d: %08x, want %08x", split, got, want)
		}
	}
	for _, n := range []int{0, 1, 1<<20 - 1, 1 << 20, len(data)} {
		if got, want := crcParallel(data[:n]), crc32.Checksum(data[:n], castagnoli()); got != want {
			t.Errorf("crcParallel of %d bytes: %08x, want %08x", n, got, want)
		}
	}
}

func FuzzCRC32Combine(f *testing.F) {
	f.Add([]byte("hello, world"), 5)
	f.Fuzz(func(t *testing.T, data []byte, split int) {
		if split < 0 || split > len(data) {
			return
		}
		a, b := data[:split], data[split:]
		got := crc32Combine(crc32.Checksum(a, castagnoli()), crc32.Checksum(b, castagnoli()), int64(len(b)))
		if want := crc32.Checksum(data, castagnoli()); got != want {
			t.Fatalf("split at %d of %d: %08x, want %08x", split, len(data), got, want)
		}
	})
}

func BenchmarkCRC32Combine(b *testing.B) {
	for b.Loop() {
		crc32Combine(0x12345678, 0x9abcdef0, 1<<20+12345)
	}
}
