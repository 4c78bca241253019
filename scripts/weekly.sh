#!/usr/bin/env bash
# lo-audit's weekly job: crawl, audit, then free the space of old crawls; one run at a time.
# Started by the system scheduler (scripts/systemd/lo-audit-weekly.timer, or cron): see the
# README, "Running lo-audit every week". Every audit is kept; `lo-audit prune` removes the
# evidence (WARC files, per-page rows) of crawls older than the last LO_AUDIT_KEEP audits'.
#
#   LO_AUDIT_DB            database (default data/localoffer.db)
#   LO_AUDIT_KEEP          audits whose crawls keep their evidence (default 12: a quarter)
#   LO_AUDIT_AUDIT_OPTIONS extra options for `lo-audit audit` (e.g. "--axe-sample 5")
#   LO_AUDIT               the lo-audit program (default .venv/bin/lo-audit)
#   arguments              passed to `lo-audit crawl` (e.g. --seeds FILE.csv)
#
# A second run while one is going (a slow crawl, a manual run) exits at once with status 75
# (EX_TEMPFAIL) instead of crawling the same sites twice at the same time.
set -euo pipefail
cd "$(dirname "$0")/.."
DB="${LO_AUDIT_DB:-data/localoffer.db}"
KEEP="${LO_AUDIT_KEEP:-12}"
LO_AUDIT="${LO_AUDIT:-.venv/bin/lo-audit}"

exec 9>>"$DB.weekly.lock"
if ! flock -n 9; then
  echo "weekly: another run holds $DB.weekly.lock; not starting a second one" >&2
  exit 75
fi
say() { echo "weekly: $(date -u +%Y-%m-%dT%H:%M:%SZ) $*"; }
say "crawl"
"$LO_AUDIT" crawl --db "$DB" "$@"
say "audit"
# shellcheck disable=SC2086  # the options are words
"$LO_AUDIT" audit --db "$DB" ${LO_AUDIT_AUDIT_OPTIONS:-}
say "prune --keep $KEEP"
"$LO_AUDIT" prune --db "$DB" --keep "$KEEP"
say "done"
