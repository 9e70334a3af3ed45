package intrinsic

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"hash"
	"unicode/utf8"
)

// MaxHashInput is the most characters States.Hash accepts.
const MaxHashInput = 10000

// hashAlgorithms are the algorithm names States.Hash accepts, spelled exactly as AWS spells them.
var hashAlgorithms = map[string]func() hash.Hash{
	"MD5":     md5.New,
	"SHA-1":   sha1.New,
	"SHA-256": sha256.New,
	"SHA-384": sha512.New384,
	"SHA-512": sha512.New,
}

// hashFunc implements States.Hash(data, algorithm): the lower-case hex digest of the string's
// UTF-8 bytes with MD5, SHA-1, SHA-256, SHA-384 or SHA-512 (names are case-sensitive). The data
// may hold at most MaxHashInput characters.
func hashFunc(_ Sources, _ *Call, args []any) (any, error) {
	const name = "States.Hash"
	s, ok := args[0].(string)
	if !ok {
		return nil, errorf(name, "argument 1 (data) must be a string, got %s", typeName(args[0]))
	}
	alg, ok := args[1].(string)
	if !ok {
		return nil, errorf(name, "argument 2 (algorithm) must be a string, got %s", typeName(args[1]))
	}
	newHash, ok := hashAlgorithms[alg]
	if !ok {
		return nil, errorf(name, "the hash algorithm %q is not supported; use MD5, SHA-1, SHA-256, SHA-384 or SHA-512", alg)
	}
	if n := utf8.RuneCountInString(s); n > MaxHashInput {
		return nil, errorf(name, "the input has %d characters; at most %d are allowed", n, MaxHashInput)
	}
	h := newHash()
	h.Write([]byte(s))
	return hex.EncodeToString(h.Sum(nil)), nil
}
