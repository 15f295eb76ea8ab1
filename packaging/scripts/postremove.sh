#!/bin/sh
# After removal: systemd forgets the unit. The lifeboat user and
# /var/lib/lifeboat stay, even on purge: the journal is the record of past
# failovers and the OpenTofu workspaces there may hold local state of live
# infrastructure; delete them by hand when they are truly no longer needed.
set -e

if [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null 2>&1 || true
fi
exit 0
