package container

import (
	"os"
	"testing"
)

// The test binary doubles as a kiln parent process: TestMain runs the helper named by
// KILN_SM_HELPER instead of the tests.
func TestMain(m *testing.M) {
	if os.Getenv("KILN_SM_HELPER") == "parent" {
		os.Exit(helperParent())
	}
	os.Exit(m.Run())
}
