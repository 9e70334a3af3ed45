package sagemaker

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCreatedBetween(t *testing.T) {
	at := func(h int) *Time { return newTime(time.Date(2026, 11, 22, h, 0, 0, 0, time.UTC)) }
	for _, tc := range []struct {
		name          string
		after, before *Time
		want          bool
	}{
		{"no bounds keep every record", nil, nil, true},
		{"a record after the lower bound is kept", at(9), nil, true},
		{"a record at the lower bound is dropped", at(10), nil, false},
		{"a record before the upper bound is kept", nil, at(11), true},
		{"a record at the upper bound is dropped", nil, at(10), false},
		{"a record inside both bounds is kept", at(9), at(11), true},
		{"a record outside the window is dropped", at(11), at(12), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := createdBetween(at(10), tc.after, tc.before)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestListPageAnswersTheSortedSummaries(t *testing.T) {
	type rec struct {
		name    string
		created time.Time
	}
	base := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	list := []rec{{"b", base}, {"a", base.Add(time.Hour)}, {"c", base.Add(-time.Hour)}}
	key := func(r rec) (string, time.Time) { return r.name, r.created }
	sums, err := summarize(list, "CreationTime", "", key, func(r rec) string { return r.name })
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b", "c"}, sums)

	out, err := listPage("Names", sums, 2, "")
	require.NoError(t, err)
	b, err := json.Marshal(out)
	require.NoError(t, err)
	assert.JSONEq(t, `{"Names":["a","b"],"NextToken":"2"}`, string(b))

	out, err = listPage("Names", sums, 2, "2")
	require.NoError(t, err)
	b, err = json.Marshal(out)
	require.NoError(t, err)
	assert.JSONEq(t, `{"Names":["c"],"NextToken":null}`, string(b))

	_, err = summarize(list, "Size", "", key, func(r rec) string { return r.name })
	assert.Error(t, err, "an unknown SortBy is refused")
}
