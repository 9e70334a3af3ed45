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

const (
	userRole    = "arn:aws:iam::000000000000:role/user-states"
	helloDef    = `{"StartAt":"Hello","States":{"Hello":{"Type":"Pass","Result":{"hello":"world"},"End":true}}}`
	helloARN    = "arn:aws:states:us-east-1:000000000000:stateMachine:hello"
	byeDef      = `{"StartAt":"Bye","States":{"Bye":{"Type":"Pass","Result":{"bye":true},"End":true}}}`
	badNextDef  = `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Nowhere"}}}`
	syncTaskDef = `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken","Parameters":{"FunctionName":"f"},"End":true}}}`
)

func createHello(t *testing.T, c *sfn.Client) *sfn.CreateStateMachineOutput {
	t.Helper()
	out, err := c.CreateStateMachine(context.Background(), &sfn.CreateStateMachineInput{Name: aws.String("hello"),
		Definition: aws.String(helloDef), RoleArn: aws.String(userRole)})
	require.NoError(t, err)
	return out
}

func TestAUserStateMachineIsCreatedRunAndSurvivesARestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kiln.db")
	db := openDB(t, path)
	s := openService(t, db, newTokens(), nil)
	c := client(t, s)
	ctx := context.Background()

	created := createHello(t, c)
	assert.Equal(t, helloARN, aws.ToString(created.StateMachineArn))
	again := createHello(t, c)
	assert.Equal(t, created.CreationDate.Unix(), again.CreationDate.Unix(), "creating the same machine again returns it")

	start, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: created.StateMachineArn, Name: aws.String("one")})
	require.NoError(t, err)
	rec, err := s.Wait(ctx, aws.ToString(start.ExecutionArn))
	require.NoError(t, err)
	assert.JSONEq(t, `{"hello":"world"}`, string(rec.Output))

	upd, err := c.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: created.StateMachineArn, Definition: aws.String(byeDef)})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	require.NoError(t, db.Close())

	db = openDB(t, path)
	defer db.Close()
	s = openService(t, db, newTokens(), nil)
	defer s.Close()
	c = client(t, s)
	d, err := c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: created.StateMachineArn})
	require.NoError(t, err)
	assert.Equal(t, byeDef, aws.ToString(d.Definition), "the update survived the restart")
	assert.Equal(t, aws.ToString(upd.RevisionId), aws.ToString(d.RevisionId))
	assert.Equal(t, userRole, aws.ToString(d.RoleArn))
	assert.Equal(t, types.StateMachineTypeStandard, d.Type)

	_, err = c.DeleteStateMachine(ctx, &sfn.DeleteStateMachineInput{StateMachineArn: created.StateMachineArn})
	require.NoError(t, err)
	_, err = c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: created.StateMachineArn})
	assert.Equal(t, "StateMachineDoesNotExist", apiCode(t, err))
	desc, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: start.ExecutionArn})
	require.NoError(t, err, "the executions of a deleted machine stay describable")
	assert.Equal(t, types.ExecutionStatusSucceeded, desc.Status)
}

func TestBadStateMachinesAreRefusedAndChangeNothing(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "kiln.db"))
	defer db.Close()
	s := openService(t, db, newTokens(), nil)
	defer s.Close()
	c := client(t, s)
	ctx := context.Background()
	createHello(t, c)
	pipeline := "arn:aws:states:us-east-1:000000000000:stateMachine:kiln-prod-pipeline"

	cases := []struct {
		name string
		call func() error
		want string
	}{
		{"a definition with a missing target is InvalidDefinition", func() error {
			_, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("bad"), Definition: aws.String(badNextDef), RoleArn: aws.String(userRole)})
			return err
		}, "InvalidDefinition"},
		{"a definition that is not JSON is InvalidDefinition", func() error {
			_, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("bad"), Definition: aws.String("{"), RoleArn: aws.String(userRole)})
			return err
		}, "InvalidDefinition"},
		{"a name with a space is InvalidName", func() error {
			_, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("a b"), Definition: aws.String(helloDef), RoleArn: aws.String(userRole)})
			return err
		}, "InvalidName"},
		{"a role that is not an IAM role is InvalidArn", func() error {
			_, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("x"), Definition: aws.String(helloDef), RoleArn: aws.String("arn:aws:s3:::bucket")})
			return err
		}, "InvalidArn"},
		{"an existing name with another definition is StateMachineAlreadyExists", func() error {
			_, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("hello"), Definition: aws.String(byeDef), RoleArn: aws.String(userRole)})
			return err
		}, "StateMachineAlreadyExists"},
		{"an EXPRESS machine waiting for a task token is InvalidDefinition", func() error {
			_, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("x"), Definition: aws.String(syncTaskDef), RoleArn: aws.String(userRole), Type: types.StateMachineTypeExpress})
			return err
		}, "InvalidDefinition"},
		{"an update to an invalid definition is InvalidDefinition", func() error {
			_, err := c.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: aws.String(helloARN), Definition: aws.String(badNextDef)})
			return err
		}, "InvalidDefinition"},
		{"an update with nothing to change is MissingRequiredParameter", func() error {
			_, err := c.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: aws.String(helloARN)})
			return err
		}, "MissingRequiredParameter"},
		{"updating a machine that does not exist is StateMachineDoesNotExist", func() error {
			_, err := c.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: aws.String(helloARN + "x"), Definition: aws.String(byeDef)})
			return err
		}, "StateMachineDoesNotExist"},
		{"kiln's own pipeline cannot be updated", func() error {
			_, err := c.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: aws.String(pipeline), Definition: aws.String(byeDef)})
			return err
		}, "ValidationException"},
		{"kiln's own pipeline cannot be deleted", func() error {
			_, err := c.DeleteStateMachine(ctx, &sfn.DeleteStateMachineInput{StateMachineArn: aws.String(pipeline)})
			return err
		}, "ValidationException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			require.Error(t, err)
			assert.Equal(t, tc.want, apiCode(t, err))
		})
	}
	d, err := c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(helloARN)})
	require.NoError(t, err)
	assert.Equal(t, helloDef, aws.ToString(d.Definition), "no refused call changed the machine")
	list, err := c.ListStateMachines(ctx, &sfn.ListStateMachinesInput{})
	require.NoError(t, err)
	assert.Len(t, list.StateMachines, 6, "no refused call created a machine")
}

func TestListStateMachinesPaginates(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "kiln.db"))
	defer db.Close()
	s := openService(t, db, newTokens(), nil)
	defer s.Close()
	c := client(t, s)
	createHello(t, c)
	var names []string
	p := sfn.NewListStateMachinesPaginator(c, &sfn.ListStateMachinesInput{MaxResults: 2})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		require.NoError(t, err)
		pages++
		assert.LessOrEqual(t, len(out.StateMachines), 2)
		for _, m := range out.StateMachines {
			names = append(names, aws.ToString(m.Name))
		}
	}
	assert.Equal(t, 3, pages)
	assert.Equal(t, []string{"approval", "child", "hello", "kiln-prod-deploy", "kiln-prod-pipeline", "parent"}, names)
	_, err := c.ListStateMachines(context.Background(), &sfn.ListStateMachinesInput{NextToken: aws.String("nonsense")})
	assert.Equal(t, "InvalidToken", apiCode(t, err))
}

func TestValidateStateMachineDefinitionAnswersWithDiagnostics(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "kiln.db"))
	defer db.Close()
	s := openService(t, db, newTokens(), nil)
	defer s.Close()
	c := client(t, s)
	cases := []struct {
		name, def  string
		typ        types.StateMachineType
		result     types.ValidateStateMachineDefinitionResultCode
		code, path string
	}{
		{"a valid machine is OK", helloDef, "", types.ValidateStateMachineDefinitionResultCodeOk, "", ""},
		{"a missing target names its location", badNextDef, "", types.ValidateStateMachineDefinitionResultCodeFail, "", "/States/A/Next"},
		{"text that is not JSON is INVALID_JSON_DESCRIPTION", "{", "", types.ValidateStateMachineDefinitionResultCodeFail, "INVALID_JSON_DESCRIPTION", ""},
		{"a task token in an EXPRESS machine fails", syncTaskDef, types.StateMachineTypeExpress, types.ValidateStateMachineDefinitionResultCodeFail, "SCHEMA_VALIDATION_FAILED", "/States/T"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := c.ValidateStateMachineDefinition(context.Background(), &sfn.ValidateStateMachineDefinitionInput{Definition: aws.String(tc.def), Type: tc.typ})
			require.NoError(t, err)
			assert.Equal(t, tc.result, out.Result)
			if tc.result == types.ValidateStateMachineDefinitionResultCodeOk {
				assert.Empty(t, out.Diagnostics)
				return
			}
			require.NotEmpty(t, out.Diagnostics)
			d := out.Diagnostics[0]
			assert.Equal(t, types.ValidateStateMachineDefinitionSeverityError, d.Severity)
			assert.NotEmpty(t, aws.ToString(d.Message))
			if tc.code != "" {
				assert.Equal(t, tc.code, aws.ToString(d.Code))
			}
			if tc.path != "" {
				assert.Equal(t, tc.path, aws.ToString(d.Location))
			}
		})
	}
}
