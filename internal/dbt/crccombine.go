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

// crc32Combine returns the CRC-32C of A followed by B from the CRC of each and B's length,
// the way zlib's crc32_combine does: appending len2 zero bytes to A is a linear map on the
// CRC, applied by repeated squaring of the one-zero-bit operator over GF(2).
func crc32Combine(crc1, crc2 uint32, len2 int64) uint32 {
	if len2 <= 0 {
		return crc1
	}
	var even, odd [32]uint32
	odd[0] = crc32.Castagnoli // the operator for one zero bit: the reflected polynomial...
	row := uint32(1)
	for n := 1; n < 32; n++ { // ...and a shift
		odd[n] = row
		row <<= 1
	}
	gf2Square(&even, &odd) // two zero bits
	gf2Square(&odd, &even) // four zero bits
	// Each round squares the operator (one zero byte, two, four…) and applies it where len2
	// has a bit set.
	for {
		gf2Square(&even, &odd)
		if len2&1 != 0 {
			crc1 = gf2Times(&even, crc1)
		}
		if len2 >>= 1; len2 == 0 {
			break
		}
		gf2Square(&odd, &even)
		if len2&1 != 0 {
			crc1 = gf2Times(&odd, crc1)
		}
		if len2 >>= 1; len2 == 0 {
			break
		}
	}
	return crc1 ^ crc2
}

func gf2Times(mat *[32]uint32, vec uint32) uint32 {
	var sum uint32
	for i := 0; vec != 0; i, vec = i+1, vec>>1 {
		if vec&1 != 0 {
			sum ^= mat[i]
		}
	}
	return sum
}

func gf2Square(square, mat *[32]uint32) {
	for n := range square {
		square[n] = gf2Times(mat, mat[n])
	}
}
