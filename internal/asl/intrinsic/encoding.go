package intrinsic

import (
	"encoding/base64"
	"strings"
	"unicode/utf8"
)

// MaxBase64Input is the most characters States.Base64Encode and States.Base64Decode accept.
const MaxBase64Input = 10000

// base64Encode implements States.Base64Encode(string): the standard, padded base64 of the
// string's UTF-8 bytes. The input may hold at most MaxBase64Input characters.
func base64Encode(_ Sources, _ *Call, args []any) (any, error) {
	const name = "States.Base64Encode"
	s, ok := args[0].(string)
	if !ok {
		return nil, errorf(name, "the argument must be a string, got %s", typeName(args[0]))
	}
	if n := utf8.RuneCountInString(s); n > MaxBase64Input {
		return nil, errorf(name, "the input has %d characters; at most %d are allowed", n, MaxBase64Input)
	}
	return base64.StdEncoding.EncodeToString([]byte(s)), nil
}

// base64Decode implements States.Base64Decode(string): the text whose UTF-8 bytes the base64
// string encodes (padding optional). Bytes that are not UTF-8 become U+FFFD. The input may
// hold at most MaxBase64Input characters.
func base64Decode(_ Sources, _ *Call, args []any) (any, error) {
	const name = "States.Base64Decode"
	s, ok := args[0].(string)
	if !ok {
		return nil, errorf(name, "the argument must be a string, got %s", typeName(args[0]))
	}
	if n := utf8.RuneCountInString(s); n > MaxBase64Input {
		return nil, errorf(name, "the input has %d characters; at most %d are allowed", n, MaxBase64Input)
	}
	enc := base64.StdEncoding
	if len(s)%4 != 0 {
		enc = base64.RawStdEncoding
		s = strings.TrimRight(s, "=")
	}
	b, err := enc.DecodeString(s)
	if err != nil {
		return nil, errorf(name, "the input is not valid base64: %v", err)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD"), nil
}
