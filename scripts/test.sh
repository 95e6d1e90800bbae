#!/usr/bin/env bash
# What `npm test` runs: start the local services (idempotent, fast when already up), type-check,
# then run every vitest project (unit, integration, e2e). Extra arguments go to vitest, e.g.
#   npm test -- --project unit        npm test -- test/integration/services.test.ts
# Exits with vitest's exit code.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/services.sh start

# Connection settings for the tests (DATABASE_URL, REDIS_URL, IMAP_URL, SMTP_URL, HELPDESK_*).
# Tests may also read .services/env themselves; exporting it here makes both agree.
set -a
# shellcheck source=/dev/null
. .services/env
set +a

npx --no-install tsc --noEmit

status=0
npx --no-install vitest run "$@" || status=$?
exit "$status"
