#!/usr/bin/env bash
# `npm test`'s pretest: what the test tiers need beyond node_modules, fetched once and then left alone, so that a
# fresh clone passes with `npm ci && npm test` (README). Each step is idempotent and takes about a second when its
# result is already there:
#   - the Kafka jars of the integration and end-to-end tiers (rehearsal/kafka/fetch-jars.sh, Maven Central);
#   - the AWS API emulator's Python venv of the aws-api tier (.ci/install-aws-emulator, moto from PyPI).
# Chromium (the approval page and report tests) is a system package: installing it needs root, so this only says how
# when it is missing (.ci/run installs it; MSK_MIGRATION_CHROMIUM names another path to look at).
# MSK_MIGRATION_SKIP_TEST_SETUP=1 skips all of it.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${MSK_MIGRATION_SKIP_TEST_SETUP:-}" = 1 ]; then
  echo "test-setup: skipped (MSK_MIGRATION_SKIP_TEST_SETUP=1)"
  exit 0
fi

bash rehearsal/kafka/fetch-jars.sh
.ci/install-aws-emulator
chromium=${MSK_MIGRATION_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  echo "test-setup: no Chromium at $chromium: the approval page and report tests (integration tier) will fail; install it with .ci/install-chromium (apt-get install chromium, needs root)."
fi
