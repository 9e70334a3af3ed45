// Package scheduler serves EventBridge Scheduler's REST-JSON API over the schedules the local
// stack runs (internal/local/schedule): ListSchedules, GetSchedule and ListScheduleGroups, read-only,
// with Scheduler's error shapes (ResourceNotFoundException, ValidationException). Every
// schedule is in the group "default", ENABLED, with its target's retry policy; any other
// operation answers UnknownOperationException naming it. An API is safe for concurrent use.
package scheduler

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kiln-dev/kiln/internal/local/awserr"
	"github.com/kiln-dev/kiln/internal/local/schedule"
	"github.com/kiln-dev/kiln/internal/topology"
)

// Path prefixes of Scheduler's operations.
const (
	SchedulesPrefix = "/schedules"
	GroupsPrefix    = "/schedule-groups"
)

// DefaultGroup is the only schedule group locally, as in a fresh account.
const DefaultGroup = "default"

// Source lists the schedules to serve; *schedule.Runner is one.
type Source interface {
	Schedules() []schedule.Status
}

var _ Source = (*schedule.Runner)(nil)

// API serves Scheduler's read operations over Source. Its fields must not change once it serves.
type API struct {
	// Source lists the schedules; required.
	Source Source
	// Env gives the ARNs their account, region and partition, and the role its stage.
	Env topology.Env
	// Retry is the targets' retry policy; zero means schedule.DefaultRetryPolicy.
	Retry schedule.RetryPolicy
	// Created is when the schedules were created (CreationDate, LastModificationDate).
	Created time.Time
}

// ServeHTTP routes a request under [SchedulesPrefix] or [GroupsPrefix] to its operation.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.EscapedPath()
	name, _ := url.PathUnescape(strings.Trim(strings.TrimPrefix(p, SchedulesPrefix), "/"))
	switch {
	case r.Method == http.MethodGet && strings.TrimSuffix(p, "/") == SchedulesPrefix:
		a.listSchedules(w, r)
	case r.Method == http.MethodGet && strings.HasPrefix(p, SchedulesPrefix+"/") && name != "" && !strings.Contains(name, "/"):
		a.getSchedule(w, r, name)
	case r.Method == http.MethodGet && strings.TrimSuffix(p, "/") == GroupsPrefix:
		a.listGroups(w, r)
	default:
		awserr.Write(w, awserr.RESTJSON, http.StatusNotFound, "UnknownOperationException",
			fmt.Sprintf("kiln local does not emulate the Scheduler operation %s %s: it serves ListSchedules, GetSchedule and ListScheduleGroups over the stack's own schedules",
				r.Method, r.URL.Path))
	}
}

func (a *API) arn(kind, name string) string {
	return fmt.Sprintf("arn:%s:scheduler:%s:%s:%s/%s", a.Env.Partition, a.Env.Region, a.Env.Account, kind, name)
}

func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

func (a *API) summary(s schedule.Status) map[string]any {
	return map[string]any{
		"Arn": a.arn("schedule", DefaultGroup+"/"+s.Name), "Name": s.Name, "GroupName": DefaultGroup, "State": "ENABLED",
		"CreationDate": epoch(a.Created), "LastModificationDate": epoch(a.Created),
		"Target": map[string]string{"Arn": a.targetARN(s.Function)},
	}
}

func (a *API) targetARN(function string) string {
	return fmt.Sprintf("arn:%s:lambda:%s:%s:function:%s", a.Env.Partition, a.Env.Region, a.Env.Account, function)
}

// listSchedules answers ListSchedules, filtered by NamePrefix, State and ScheduleGroup, paged
// by MaxResults (1 to 100) and NextToken.
func (a *API) listSchedules(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	start, limit, err := page(q, 100)
	if err != nil {
		writeError(w, http.StatusBadRequest, "ValidationException", err.Error())
		return
	}
	var match []schedule.Status
	for _, s := range a.Source.Schedules() {
		if strings.HasPrefix(s.Name, q.Get("NamePrefix")) && (q.Get("State") == "" || q.Get("State") == "ENABLED") &&
			(q.Get("ScheduleGroup") == "" || q.Get("ScheduleGroup") == DefaultGroup) {
			match = append(match, s)
		}
	}
	list := []any{}
	for _, s := range match[min(start, len(match)):min(start+limit, len(match))] {
		list = append(list, a.summary(s))
	}
	out := map[string]any{"Schedules": list}
	if start+limit < len(match) {
		out["NextToken"] = strconv.Itoa(start + limit)
	}
	writeJSON(w, out)
}

// page reads MaxResults (1 to most, default most) and NextToken (an offset this API gave).
func page(q url.Values, most int) (start, limit int, err error) {
	limit = most
	if s := q.Get("MaxResults"); s != "" {
		if limit, err = strconv.Atoi(s); err != nil || limit < 1 || limit > most {
			return 0, 0, fmt.Errorf("1 validation error detected: Value '%s' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and %d", s, most)
		}
	}
	if s := q.Get("NextToken"); s != "" {
		if start, err = strconv.Atoi(s); err != nil || start < 0 {
			return 0, 0, fmt.Errorf("the NextToken %q is not one this service gave", s)
		}
	}
	return start, limit, nil
}

// getSchedule answers GetSchedule for a schedule of the default group.
func (a *API) getSchedule(w http.ResponseWriter, r *http.Request, name string) {
	if g := r.URL.Query().Get("groupName"); g != "" && g != DefaultGroup {
		writeError(w, http.StatusNotFound, "ResourceNotFoundException", "Schedule group "+g+" does not exist.")
		return
	}
	for _, s := range a.Source.Schedules() {
		if s.Name == name {
			writeJSON(w, a.detail(s))
			return
		}
	}
	writeError(w, http.StatusNotFound, "ResourceNotFoundException", "Schedule "+name+" does not exist.")
}

func (a *API) detail(s schedule.Status) map[string]any {
	retry := a.Retry
	if retry == (schedule.RetryPolicy{}) {
		retry = schedule.DefaultRetryPolicy
	}
	tz := s.Timezone
	if tz == "" {
		tz = "UTC"
	}
	out := a.summary(s)
	out["ScheduleExpression"] = s.Expression
	out["ScheduleExpressionTimezone"] = tz
	out["FlexibleTimeWindow"] = map[string]string{"Mode": "OFF"}
	out["ActionAfterCompletion"] = "NONE"
	out["Description"] = fmt.Sprintf("kiln schedule: invokes %s", s.Function)
	if !s.Start.IsZero() {
		out["StartDate"] = epoch(s.Start)
	}
	out["Target"] = map[string]any{
		"Arn": a.targetARN(s.Function), "Input": string(s.Input),
		"RoleArn":     fmt.Sprintf("arn:%s:iam::%s:role/%s", a.Env.Partition, a.Env.Account, topology.ResourceName(a.Env.Stage, "scheduler")),
		"RetryPolicy": map[string]int{"MaximumEventAgeInSeconds": int(retry.MaximumEventAge / time.Second), "MaximumRetryAttempts": retry.MaximumRetryAttempts},
	}
	return out
}

// listGroups answers ListScheduleGroups: the default group.
func (a *API) listGroups(w http.ResponseWriter, r *http.Request) {
	groups := []any{}
	if strings.HasPrefix(DefaultGroup, r.URL.Query().Get("NamePrefix")) {
		groups = append(groups, map[string]any{"Arn": a.arn("schedule-group", DefaultGroup), "Name": DefaultGroup, "State": "ACTIVE",
			"CreationDate": epoch(a.Created), "LastModificationDate": epoch(a.Created)})
	}
	writeJSON(w, map[string]any{"ScheduleGroups": groups})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-RequestId", awserr.RequestID())
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	awserr.Write(w, awserr.RESTJSON, status, code, msg)
}
