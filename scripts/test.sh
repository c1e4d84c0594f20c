#!/usr/bin/env bash
# npm test: the type check and the dry-run builds run beside vitest, which leaves one of the two
# cores mostly idle while its tests wait on sockets and timers. Their output is shown once vitest
# is done, and any failure (tests, types or build) fails npm test. The deployed environments'
# builds (`npm run deploy -- --dry-run`) run one after the other in one job, so a broken
# [env.staging] or [env.production] fails npm test; one job for both keeps the extra load to one process.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-chromium.sh || exit 1
out="$(mktemp -d)"
npm run --silent typecheck >"$out/typecheck" 2>&1 &
typecheck=$!
npm run --silent build >"$out/build" 2>&1 &
build=$!
( npm run --silent deploy -- --env staging --dry-run --outdir "$out/dist-staging" &&
  npm run --silent deploy -- --env production --dry-run --outdir "$out/dist-production" ) >"$out/environments" 2>&1 &
environments=$!
trap 'kill "$typecheck" "$build" "$environments" 2>/dev/null; rm -rf "$out"' EXIT

npx vitest run
status=$?
for step in typecheck build environments; do
  if wait "${!step}"; then
    echo "[test] $step: ok"
  else
    status=1
    echo "[test] $step FAILED:"
    cat "$out/$step"
  fi
done
exit "$status"
