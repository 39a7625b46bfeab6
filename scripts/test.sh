#!/bin/sh
# `npm test`: the type check and the tests side by side. tsc uses one core for half a minute or
# more on a fresh checkout; run before the tests, as it was, it left the other core idle that long.
# Arguments go to tap (`npm test -- test/resources/feeds.test.ts`).
# After `npm ci`, tap is built with its default plugins. Ours (package.json "tap"."plugin") leave
# out tap's TypeScript loader and the plugins no test uses, @tapjs/mock first: its module hooks
# would see every import of every test process. A run that finds the set differs rebuilds it, but
# only for the runs after it, so build first when the built set is not ours.
if grep -qE '@tapjs/(typescript|mock)' node_modules/@tapjs/test/test-built/dist/esm/index.js 2>/dev/null; then
  tap build >/dev/null || exit 1
fi
# Three test files at a time on two cores (package.json "tap"."jobs"): every file waits at times,
# for PostgreSQL, a server process or Chromium, and a third keeps the cores busy meanwhile.
# tap's limit per file ("timeout", 300 s) is there to end a file that hangs, not to time one: on
# a shared machine files that take 40 s alone took 120 s and more beside the others and tsc.
# With no files named, the run is the suite on the selected database. On SQLite (the default):
# every file but test/postgres/, which tests what only PostgreSQL has, test/s3/ (an S3 server's;
# the PostgreSQL pass runs it when DATELINE_TEST_S3_ENDPOINT names one) and test/cluster/ (its
# own PostgreSQL, Redis and HAProxy processes; DATELINE_CLUSTER_TESTS=1 adds it). Pointed at PostgreSQL
# (`DATELINE_TEST_DATABASE_URL`): the files scripts/database-tests.mjs lists, test/postgres/ and
# those that use the suite's database. The others do the same on every run: test/dialects/
# compares both databases whichever is selected, the server-process tests and the format
# readers use their own SQLite files or none; nor do the types depend on it. Running them again
# would prove nothing.
names_files=false
for arg in "$@"; do
  case "$arg" in *.ts) names_files=true ;; esac
done
database_pass=false
if [ "$names_files" = false ]; then
  if [ -n "$DATELINE_TEST_DATABASE_URL" ]; then
    database_pass=true
    set -- "$@" $(node scripts/database-tests.mjs)
  else
    if [ -n "$DATELINE_CLUSTER_TESTS" ]; then
      set -- "$@" $(find test -name '*.test.ts' -not -path 'test/postgres/*' -not -path 'test/s3/*' | sort)
    else
      set -- "$@" $(find test -name '*.test.ts' -not -path 'test/postgres/*' -not -path 'test/s3/*' -not -path 'test/cluster/*' | sort)
    fi
  fi
fi
# typebox, drizzle-orm and markdown-it bundled for the test processes' start-up (test/loader/prebundle.mjs).
node test/loader/prebundle.mjs || exit 1
typecheck=
if [ "$database_pass" = false ]; then
  npm run --silent typecheck &
  typecheck=$!
fi
tap "$@"
tests=$?
checked=0
if [ -n "$typecheck" ]; then
  wait "$typecheck"
  checked=$?
fi
if [ "$tests" -ne 0 ]; then exit "$tests"; fi
exit "$checked"
