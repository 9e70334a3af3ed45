package sagemaker

import (
	"fmt"
	"sort"
	"time"
)

// summarize sorts list in place (see sortList) and maps each record to the summary a List*
// call returns. Callers hold s.mu, as sum reads the records.
func summarize[T, S any](list []T, by, order string, key func(T) (string, time.Time), sum func(T) S) ([]S, error) {
	if err := sortList(list, by, order, key); err != nil {
		return nil, err
	}
	sums := make([]S, len(list))
	for i, v := range list {
		sums[i] = sum(v)
	}
	return sums, nil
}

// listPage answers a List* call: the page of sums that maxResults and nextToken select,
// under field, with the NextToken of the next page (null on the last one).
func listPage[S any](field string, sums []S, maxResults int, nextToken string) (any, error) {
	page, next, err := paginate(sums, maxResults, nextToken)
	if err != nil {
		return nil, err
	}
	return map[string]any{field: page, "NextToken": omitEmpty(next)}, nil
}

// createdBetween reports whether created lies strictly after after and strictly before
// before, a nil bound being no bound (CreationTimeAfter and CreationTimeBefore filters).
func createdBetween(created, after, before *Time) bool {
	if after != nil && !created.After(after.Time) {
		return false
	}
	return before == nil || created.Before(before.Time)
}

// sortList orders list by "Name" or "CreationTime", "Ascending" or "Descending" (default
// Descending, as SageMaker's list operations do).
func sortList[T any](list []T, by, order string, key func(T) (string, time.Time)) error {
	desc := true
	switch order {
	case "", "Descending":
	case "Ascending":
		desc = false
	default:
		return validationf("1 validation error detected: Value '%s' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [Ascending, Descending]", order)
	}
	var less func(a, b T) bool
	switch by {
	case "Name":
		less = func(a, b T) bool { na, _ := key(a); nb, _ := key(b); return na < nb }
	case "CreationTime", "CreationDate":
		less = func(a, b T) bool {
			na, ta := key(a)
			nb, tb := key(b)
			if ta.Equal(tb) {
				return na < nb
			}
			return ta.Before(tb)
		}
	default:
		return validationf("1 validation error detected: Value '%s' at 'sortBy' failed to satisfy constraint: Member must satisfy enum value set: [Name, CreationTime]", by)
	}
	sort.SliceStable(list, func(i, j int) bool {
		if desc {
			return less(list[j], list[i])
		}
		return less(list[i], list[j])
	})
	return nil
}

// paginate returns one page of list. NextToken is the decimal offset of the next page.
func paginate[T any](list []T, max int, token string) ([]T, string, error) {
	start := 0
	if token != "" {
		if _, err := fmt.Sscanf(token, "%d", &start); err != nil || start < 0 || start > len(list) {
			return nil, "", validationf("invalid NextToken %q", token)
		}
	}
	if max <= 0 || max > 100 {
		if max > 100 {
			return nil, "", validationf("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100", max)
		}
		max = 10
	}
	end := min(start+max, len(list))
	page := list[start:end]
	if page == nil {
		page = []T{}
	}
	next := ""
	if end < len(list) {
		next = fmt.Sprint(end)
	}
	return page, next, nil
}

func omitEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
