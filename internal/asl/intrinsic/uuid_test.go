package intrinsic

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

var v4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestUUIDIsARandomVersion4UUID(t *testing.T) {
	e := MustParse(`States.UUID()`)
	a, err := e.Eval(nil)
	require.NoError(t, err)
	b, err := e.Eval(nil)
	require.NoError(t, err)
	require.Regexp(t, v4, a)
	require.NotEqual(t, a, b)
}

func TestUUIDUsesTheInjectedSource(t *testing.T) {
	got, err := MustParse(`States.UUID()`).EvalWith(nil, Sources{UUID: func() string { return "fixed" }})
	require.NoError(t, err)
	require.Equal(t, "fixed", got)
}

func TestFormatUUIDStampsVersionAndVariant(t *testing.T) {
	var b [16]byte
	for i := range b {
		b[i] = 0xff
	}
	require.Equal(t, "ffffffff-ffff-4fff-bfff-ffffffffffff", FormatUUID(b))
	require.Equal(t, "00000000-0000-4000-8000-000000000000", FormatUUID([16]byte{}))
}
