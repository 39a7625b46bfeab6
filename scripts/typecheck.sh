#!/bin/sh
# `npm run typecheck`: the sources and tests, then the client and the starter front end, each on
# its own project (DOM types and no Node types: a Node built-in can't slip into browser code).
# Incremental, so a second run in one checkout (the PostgreSQL pass of .ci/run) checks only what
# changed.
cache=node_modules/.cache/dateline
tsc -p tsconfig.json --incremental --tsBuildInfoFile "$cache/typecheck.tsbuildinfo" &&
  tsc -p clients/typescript --noEmit --incremental --tsBuildInfoFile "$cache/client.tsbuildinfo" &&
  tsc -p examples/front-end --noEmit --incremental --tsBuildInfoFile "$cache/front-end.tsbuildinfo"
