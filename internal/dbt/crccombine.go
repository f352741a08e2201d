package dbt

import (
	"hash/crc32"
	"sync"
)

// crcParallel is the CRC-32C of data, the two halves hashed on two cores when data is large
// enough for that to pay (a kept answer of 10 MB is checked on every replay).
func crcParallel(data []byte) uint32 {
	if len(data) < 1<<20 {
		return crc32.Checksum(data, castagnoli())
	}
	half := len(data) / 2
	var second uint32
	var wg sync.WaitGroup
	wg.Go(func() { second = crc32.Checksum(data[half:], castagnoli()) })
	first := crc32.Checksum(data[:half], castagnoli())
	wg.Wait()
	return crc32Combine(first, second, int64(len(data)-half))
}

// crc32Combine returns the CRC-32C of A followed by B from the CRC of each and B's length.
// Appending len2 zero bytes to A multiplies its CRC by x^(8·len2) modulo the polynomial, so the
// combination is one such power (square and multiply over the bits of len2) times crc1, plus
// crc2: a few microseconds, where squaring the 32×32 zero-bit operator over GF(2) for every bit
// of len2 took a few hundred.
func crc32Combine(crc1, crc2 uint32, len2 int64) uint32 {
	if len2 <= 0 {
		return crc1
	}
	return multModP(xPow8n(uint64(len2)), crc1) ^ crc2
}

// crcOne is the polynomial 1 in the reflected bit order CRC-32C is computed in (x^0 is the
// top bit).
const crcOne = uint32(1) << 31

// multModP is a·b modulo the CRC-32C polynomial, both reflected.
func multModP(a, b uint32) uint32 {
	var p uint32
	for m := crcOne; m != 0; m >>= 1 {
		if a&m != 0 {
			p ^= b
		}
		if b&1 != 0 {
			b = b>>1 ^ crc32.Castagnoli
		} else {
			b >>= 1
		}
	}
	return p
}

// xPow8n is x^(8·n) modulo the polynomial: x^8 squared once for each bit of n, multiplied in
// where the bit is set.
func xPow8n(n uint64) uint32 {
	x := crcOne >> 1 // x^1
	x2 := multModP(x, x)
	x4 := multModP(x2, x2)
	p, sq := crcOne, multModP(x4, x4) // x^0, x^8
	for ; n != 0; n >>= 1 {
		if n&1 != 0 {
			p = multModP(sq, p)
		}
		sq = multModP(sq, sq)
	}
	return p
}
