package eventpattern

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSmoke(t *testing.T) {
	p, err := Compile([]byte(`{"source":["aws.ec2"],"detail":{"n":[{"numeric":[">",0,"<=",5]}],"s":[{"prefix":"ab"}]}}`))
	require.NoError(t, err)
	ok, err := p.Match([]byte(`{"source":"aws.ec2","detail":{"n":3.0e0,"s":"abc","x":[1,{"y":2}]}}`))
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = p.Match([]byte(`{"source":"aws.ec2","detail":{"n":6,"s":"abc"}}`))
	require.NoError(t, err)
	require.False(t, ok)
}
