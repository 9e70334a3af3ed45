package intrinsic

import (
	"crypto/rand"
	"encoding/hex"
)

// uuidFunc implements States.UUID(): a version 4 UUID from Sources.UUID, or from crypto/rand.
func uuidFunc(src Sources, _ *Call, _ []any) (any, error) {
	if src.UUID != nil {
		return src.UUID(), nil
	}
	return NewUUID(), nil
}

// NewUUID returns a random version 4 UUID in canonical lower-case form, from crypto/rand.
// Safe for concurrent use.
func NewUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return FormatUUID(b)
}

// FormatUUID stamps the version 4 and RFC 4122 variant bits on b and returns its canonical
// text, so any 16 random bytes (from a seeded test source too) make a valid v4 UUID.
func FormatUUID(b [16]byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:36], b[10:16])
	return string(out[:])
}
