package intrinsic

import (
	"strings"
	"testing"
)

func TestHash(t *testing.T) {
	long := strings.Repeat("x", MaxHashInput)
	runEvalTable(t, []evalTest{
		{"MD5 of the documentation's input", `States.Hash('input data', 'MD5')`, ``, `"812f45842bc6d66ee14572ce20db8e86"`},
		{"SHA-1 gives AWS's recorded digest", `States.Hash('input', 'SHA-1')`, ``, `"140f86aae51ab9e1cda9b4254fe98a74eb54c1a1"`},
		{"SHA-256 of abc", `States.Hash('abc', 'SHA-256')`, ``, `"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"`},
		{"SHA-384 of abc", `States.Hash('abc', 'SHA-384')`, ``, `"cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"`},
		{"SHA-512 of abc", `States.Hash('abc', 'SHA-512')`, ``, `"ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"`},
		{"the algorithm may come from a path", `States.Hash($.d, $.alg)`, `{"d":"abc","alg":"MD5"}`, `"900150983cd24fb0d6963f7d28e17f72"`},
		{"10000 characters may be hashed", `States.ArrayLength(States.Array(States.Hash($.s, 'MD5')))`, `{"s":"` + long + `"}`, `1`},
		{"10001 characters may not be hashed", `States.Hash($.s, 'MD5')`, `{"s":"` + long + `x"}`, `error: 10001 characters`},
		{"algorithm names are case-sensitive", `States.Hash('abc', 'sha-256')`, ``, `error: "sha-256" is not supported`},
		{"an unknown algorithm fails", `States.Hash('abc', 'SHA-3')`, ``, `error: not supported`},
		{"a number is not hashed", `States.Hash(1, 'MD5')`, ``, `error: argument 1 (data) must be a string, got number`},
		{"an object is not hashed", `States.Hash($.o, 'MD5')`, `{"o":{}}`, `error: must be a string, got object`},
	})
}
