package conformance

import (
	"fmt"
	"strings"
)

// BenchDefinition is the 5-state machine of the benchmark batch: a Pass with Parameters and an
// intrinsic, a Pass with ResultPath, a Choice, a Pass and a Succeed.
const BenchDefinition = `{"Comment":"bench: five states","StartAt":"Prepare","States":{` +
	`"Prepare":{"Type":"Pass","Parameters":{"id.$":"$.id","n.$":"$.n","key.$":"States.Format('order-{}-{}', $.id, $.n)"},"Next":"Stamp"},` +
	`"Stamp":{"Type":"Pass","Result":{"ok":true,"stage":"stamped"},"ResultPath":"$.stamp","Next":"Route"},` +
	`"Route":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericGreaterThanEquals":0,"Next":"Accept"}],"Default":"Done"},` +
	`"Accept":{"Type":"Pass","Parameters":{"key.$":"$.key","accepted":true},"ResultPath":"$.result","Next":"Done"},` +
	`"Done":{"Type":"Succeed"}}}`

// BenchBatch returns n JSON Lines of [BenchDefinition], each with its own id and input: the
// batch `make bench-peer` and the package's benchmark run.
func BenchBatch(n int) []byte {
	var sb strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&sb, `{"id":"c%d","definition":%s,"input":{"id":"o%d","n":%d}}`+"\n", i, BenchDefinition, i, i%7)
	}
	return []byte(sb.String())
}
