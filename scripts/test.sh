#!/bin/sh
# `npm test`: the type check and the tests side by side. tsc uses one core for half a minute or
# more on a fresh checkout; run before the tests, as it was, it left the other core idle that long.
# Arguments go to tap (`npm test -- test/resources/feeds.test.ts`).
# After `npm ci`, tap is built with its default plugins, @tapjs/typescript among them. A run that
# finds package.json's set differs rebuilds it, but only for the runs after it: every file of that
# first run would load tap's TypeScript loader next to ours. So build first when it is not ours.
if grep -q '@tapjs/typescript' node_modules/@tapjs/test/test-built/dist/esm/index.js 2>/dev/null; then
  tap build >/dev/null || exit 1
fi
npm run --silent typecheck &
typecheck=$!
tap "$@"
tests=$?
wait "$typecheck"
checked=$?
if [ "$tests" -ne 0 ]; then exit "$tests"; fi
exit "$checked"
