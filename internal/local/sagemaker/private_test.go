package sagemaker

import (
	"context"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWhatKilnCopiesUnderTheStateFolderIsPrivate trains a job and starts an endpoint, then
// checks every folder kiln made and every file kiln wrote there (training data, configs,
// logs, the extracted model) can be read by the user alone. Files the training program
// itself wrote are its own business (kiln local gives it a 077 umask) and are skipped.
func TestWhatKilnCopiesUnderTheStateFolderIsPrivate(t *testing.T) {
	h := newHarness(t, newManualClock(), nil)
	ctx := context.Background()
	require.NoError(t, h.blobs.Put(ctx, bucket, "data/abalone/data.csv", []byte("1\n2\n")))
	require.NoError(t, h.blobs.Put(ctx, bucket, "data/abalone/more/extra.csv", []byte("3\n")))
	_, err := h.api.CreateTrainingJob(ctx, trainingInput("private", nil))
	require.NoError(t, err)
	_, err = h.svc.WaitTrainingJob(ctx, "private")
	require.NoError(t, err)
	h.release(t, "private-model", "secret weights")
	_, err = h.api.CreateEndpoint(ctx, &awssm.CreateEndpointInput{EndpointName: aws.String("private-ep"), EndpointConfigName: aws.String("private-model-config")})
	require.NoError(t, err)
	h.waitStatus(t, "private-ep", "InService")

	programs := map[string]bool{"model.txt": true, "evaluation.json": true, "partial.txt": true}
	checked := 0
	err = filepath.WalkDir(h.cfg.Root, func(p string, d fs.DirEntry, err error) error {
		require.NoError(t, err)
		info, err := d.Info()
		require.NoError(t, err)
		rel, _ := filepath.Rel(h.cfg.Root, p)
		if !d.IsDir() && programs[d.Name()] && !strings.Contains(rel, "endpoints") {
			return nil
		}
		checked++
		assert.Zero(t, info.Mode().Perm()&0o077, "%s is %v: readable by others", rel, info.Mode().Perm())
		return nil
	})
	require.NoError(t, err)
	assert.Greater(t, checked, 10)
}
