package stepfunctions

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVersionsAndAliasesRouteExecutions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kiln.db")
	db := openDB(t, path)
	s := openService(t, db, newTokens(), nil)
	c := client(t, s)
	ctx := context.Background()

	created, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("hello"), Definition: aws.String(helloDef),
		RoleArn: aws.String(userRole), Publish: true, VersionDescription: aws.String("first")})
	require.NoError(t, err)
	v1 := aws.ToString(created.StateMachineVersionArn)
	assert.Equal(t, helloARN+":1", v1)
	same, err := c.PublishStateMachineVersion(ctx, &sfn.PublishStateMachineVersionInput{StateMachineArn: aws.String(helloARN)})
	require.NoError(t, err)
	assert.Equal(t, v1, aws.ToString(same.StateMachineVersionArn), "publishing an unchanged revision returns its version")

	upd, err := c.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: aws.String(helloARN), Definition: aws.String(byeDef), Publish: true})
	require.NoError(t, err)
	v2 := aws.ToString(upd.StateMachineVersionArn)
	assert.Equal(t, helloARN+":2", v2)
	_, err = c.PublishStateMachineVersion(ctx, &sfn.PublishStateMachineVersionInput{StateMachineArn: aws.String(helloARN), RevisionId: aws.String("stale")})
	assert.Equal(t, "ConflictException", apiCode(t, err), "a stale revision id is a conflict")

	alias, err := c.CreateStateMachineAlias(ctx, &sfn.CreateStateMachineAliasInput{Name: aws.String("live"),
		RoutingConfiguration: []types.RoutingConfigurationListItem{{StateMachineVersionArn: aws.String(v1), Weight: 100}}})
	require.NoError(t, err)
	aliasARN := aws.ToString(alias.StateMachineAliasArn)
	assert.Equal(t, helloARN+":live", aliasARN)

	run := func(arn, name string) *Execution {
		t.Helper()
		out, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(arn), Name: aws.String(name)})
		require.NoError(t, err)
		rec, err := s.Wait(ctx, aws.ToString(out.ExecutionArn))
		require.NoError(t, err)
		return rec
	}
	onAlias := run(aliasARN, "on-alias")
	onV2 := run(v2, "on-v2")
	latest := run(helloARN, "latest")
	_, err = c.UpdateStateMachineAlias(ctx, &sfn.UpdateStateMachineAliasInput{StateMachineAliasArn: aws.String(aliasARN),
		RoutingConfiguration: []types.RoutingConfigurationListItem{{StateMachineVersionArn: aws.String(v2), Weight: 100}}})
	require.NoError(t, err)
	shifted := run(aliasARN, "after-shift")

	require.NoError(t, s.Close())
	require.NoError(t, db.Close())
	db = openDB(t, path)
	defer db.Close()
	s = openService(t, db, newTokens(), nil)
	defer s.Close()
	c = client(t, s)

	desc, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(onAlias.ARN)})
	require.NoError(t, err)
	dv1, err := c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(v1)})
	require.NoError(t, err)
	da, err := c.DescribeStateMachineAlias(ctx, &sfn.DescribeStateMachineAliasInput{StateMachineAliasArn: aws.String(aliasARN)})
	require.NoError(t, err)
	versions, err := c.ListStateMachineVersions(ctx, &sfn.ListStateMachineVersionsInput{StateMachineArn: aws.String(helloARN)})
	require.NoError(t, err)
	aliases, err := c.ListStateMachineAliases(ctx, &sfn.ListStateMachineAliasesInput{StateMachineArn: aws.String(helloARN)})
	require.NoError(t, err)
	byAlias, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(aliasARN)})
	require.NoError(t, err)

	cases := []struct {
		name      string
		got, want any
	}{
		{"the alias ran version 1", string(onAlias.Output), `{"hello":"world"}`},
		{"version 2 runs its own definition", string(onV2.Output), `{"bye":true}`},
		{"the unqualified ARN runs the latest revision", string(latest.Output), `{"bye":true}`},
		{"the shifted alias runs version 2", string(shifted.Output), `{"bye":true}`},
		{"the execution names its alias", aws.ToString(desc.StateMachineAliasArn), aliasARN},
		{"the execution names the version the alias chose", aws.ToString(desc.StateMachineVersionArn), v1},
		{"a version keeps its definition after a restart", aws.ToString(dv1.Definition), helloDef},
		{"a version keeps its description", aws.ToString(dv1.Description), "first"},
		{"the alias routes to version 2 after a restart", aws.ToString(da.RoutingConfiguration[0].StateMachineVersionArn), v2},
		{"versions are listed newest first", aws.ToString(versions.StateMachineVersions[0].StateMachineVersionArn), v2},
		{"two versions are listed", len(versions.StateMachineVersions), 2},
		{"one alias is listed", len(aliases.StateMachineAliases), 1},
		{"the alias's executions are listed by its ARN", len(byAlias.Executions), 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { assert.Equal(t, tc.want, tc.got) })
	}

	_, err = c.DeleteStateMachineVersion(ctx, &sfn.DeleteStateMachineVersionInput{StateMachineVersionArn: aws.String(v2)})
	assert.Equal(t, "ConflictException", apiCode(t, err), "a version an alias routes to cannot be deleted")
	_, err = c.DeleteStateMachineVersion(ctx, &sfn.DeleteStateMachineVersionInput{StateMachineVersionArn: aws.String(v1)})
	require.NoError(t, err)
	_, err = c.DeleteStateMachineAlias(ctx, &sfn.DeleteStateMachineAliasInput{StateMachineAliasArn: aws.String(aliasARN)})
	require.NoError(t, err)
	_, err = c.DescribeStateMachineAlias(ctx, &sfn.DescribeStateMachineAliasInput{StateMachineAliasArn: aws.String(aliasARN)})
	assert.Equal(t, "ResourceNotFound", apiCode(t, err))
	_, err = c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(v1)})
	assert.Equal(t, "StateMachineDoesNotExist", apiCode(t, err), "a deleted version cannot run")
}

func TestBadAliasesAreRefused(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "kiln.db"))
	defer db.Close()
	s := openService(t, db, newTokens(), nil)
	defer s.Close()
	c := client(t, s)
	ctx := context.Background()
	created, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("hello"), Definition: aws.String(helloDef), RoleArn: aws.String(userRole), Publish: true})
	require.NoError(t, err)
	v1 := aws.ToString(created.StateMachineVersionArn)
	route := func(arn string, w int32) types.RoutingConfigurationListItem {
		return types.RoutingConfigurationListItem{StateMachineVersionArn: aws.String(arn), Weight: w}
	}
	cases := []struct {
		name, alias string
		routes      []types.RoutingConfigurationListItem
		want        string
	}{
		{"weights that do not sum to 100 are refused", "a", []types.RoutingConfigurationListItem{route(v1, 50)}, "ValidationException"},
		{"a version that does not exist is not found", "a", []types.RoutingConfigurationListItem{route(helloARN+":9", 100)}, "ResourceNotFound"},
		{"the same version twice is refused", "a", []types.RoutingConfigurationListItem{route(v1, 50), route(v1, 50)}, "ValidationException"},
		{"an all-digit name is refused", "12", []types.RoutingConfigurationListItem{route(v1, 100)}, "ValidationException"},
		{"three routes are refused", "a", []types.RoutingConfigurationListItem{route(v1, 40), route(v1, 30), route(v1, 30)}, "ValidationException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreateStateMachineAlias(ctx, &sfn.CreateStateMachineAliasInput{Name: aws.String(tc.alias), RoutingConfiguration: tc.routes})
			require.Error(t, err)
			assert.Equal(t, tc.want, apiCode(t, err))
		})
	}
	aliases, err := c.ListStateMachineAliases(ctx, &sfn.ListStateMachineAliasesInput{StateMachineArn: aws.String(helloARN)})
	require.NoError(t, err)
	assert.Empty(t, aliases.StateMachineAliases, "no refused alias was created")
}
