package eventpattern

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeString(t *testing.T) {
	cases := []struct {
		name string
		raw  string
		want string
	}{
		{"plain text is unchanged", `abc`, "abc"},
		{"short escapes are decoded", `a\"b\\c\/d\b\f\n\r\t`, "a\"b\\c/d\b\f\n\r\t"},
		{"a unicode escape is decoded", `\u00e9t\u00C9`, "étÉ"},
		{"a surrogate pair becomes one character", `\ud83d\ude00`, "😀"},
		{"a lone high surrogate becomes the replacement character", `\ud83dx`, "\uFFFDx"},
		{"a lone low surrogate becomes the replacement character", `\ude00`, "\uFFFD"},
		{"a high surrogate before a non-surrogate escape keeps both", `\ud83d\u0041`, "\uFFFDA"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, string(decodeString([]byte(tc.raw))))
		})
	}
}

func TestSpecialBytesFindsTheFirstSpecialByte(t *testing.T) {
	cases := []struct {
		name  string
		chunk string
		first int
	}{
		{"a word of letters has no special byte", "abcdefgh", -1},
		{"a quote is found", `abc"efgh`, 3},
		{"a backslash is found", `\bcdefgh`, 0},
		{"a control character is found", "abcdefg\x1f", 7},
		{"the first of several is found", "ab\"\\\x00fgh", 2},
		{"bytes above 0x7f are not special", "\xe2\x82\xac\xc3\xa9xyz", -1},
		{"a space is not special", "a b c d ", -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var x uint64
			for i := 7; i >= 0; i-- {
				x = x<<8 | uint64(tc.chunk[i])
			}
			m := specialBytes(x)
			if tc.first < 0 {
				assert.Zero(t, m)
				return
			}
			require.NotZero(t, m)
			got := 0
			for m&(0xff<<(8*got)) == 0 {
				got++
			}
			assert.Equal(t, tc.first, got)
		})
	}
}

// TestSpecialBytesAgreesWithAByteLoop checks the word trick against a plain loop on words built
// from the bytes around every boundary it tests (0x1f/0x20, the quote, the backslash, 0x7f/0x80
// and the bytes whose xor with a quote or backslash reaches 0x80), in every position.
func TestSpecialBytesAgreesWithAByteLoop(t *testing.T) {
	alphabet := []byte{0x00, 0x01, 0x1f, 0x20, 0x21, '"', 0x23, 0x5b, '\\', 0x5d, 0x7f, 0x80, 0x81,
		0xa0, 0xa2, 0xdc, 0xdf, 0xe0, 0xfe, 0xff, 'a'}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		var word [8]byte
		for i := range word {
			word[i] = alphabet[rng.IntN(len(alphabet))]
		}
		want := -1
		for i, c := range word {
			if c == '"' || c == '\\' || c < 0x20 {
				want = i
				break
			}
		}
		m := specialBytes(binary.LittleEndian.Uint64(word[:]))
		got := -1
		if m != 0 {
			got = bits.TrailingZeros64(m) >> 3
		}
		require.Equal(t, want, got, "word % x", word)
	}
}
