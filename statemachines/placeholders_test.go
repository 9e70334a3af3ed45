package statemachines_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/kiln-dev/kiln/statemachines"
)

func TestKeysAreDistinctInOrderOfAppearance(t *testing.T) {
	got := statemachines.Keys("${Region}/${Account}/${Region}/$Stage/${bad-key}")
	assert.Equal(t, []string{"Region", "Account"}, got)
	assert.Equal(t, []string{"Account", "Region"}, statemachines.Placeholders([]byte("${Region}/${Account}/${Region}")), "Placeholders sorts them")
}

func TestFillKnownLeavesUnknownKeysIntact(t *testing.T) {
	got := statemachines.FillKnown([]byte(`{"a":"${Known}","b":"${Unknown}"}`), map[string]string{"Known": "k"})
	assert.Equal(t, `{"a":"k","b":"${Unknown}"}`, string(got))
}
