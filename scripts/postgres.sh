#!/usr/bin/env bash
# Installs PostgreSQL (initdb, pg_ctl, pg_basebackup under
# /usr/lib/postgresql/VERSION/bin) from Debian packages when it is missing.
# Tests run their own primary and replicas, as the package's postgres user,
# on loopback ports; the package's own cluster must not start on port 5432,
# so it is kept from starting (apt-install.sh --no-start).
set -euo pipefail

for b in /usr/lib/postgresql/*/bin/pg_ctl; do
	if [[ -x "$b" ]]; then
		echo "postgres: $b present"
		exit 0
	fi
done

# postgresql-contrib (a recommendation) is not needed.
"$(dirname "$0")/apt-install.sh" --no-recommends --no-start postgresql.service postgres postgresql
