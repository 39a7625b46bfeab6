#!/bin/sh
# `npm test`: the type check and the tests side by side. tsc uses one core for half a minute or
# more on a fresh checkout; run before the tests, as it was, it left the other core idle that long.
# Arguments go to tap (`npm test -- test/resources/feeds.test.ts`).
npm run --silent typecheck &
typecheck=$!
tap "$@"
tests=$?
wait "$typecheck"
checked=$?
if [ "$tests" -ne 0 ]; then exit "$tests"; fi
exit "$checked"
