#!/bin/sh
# Before removal (not before an upgrade): stop and disable the daemon.
# .deb passes "remove" (or "upgrade"), .rpm passes 0 on removal, 1 on upgrade.
set -e

case "$1" in
remove | 0) ;;
*) exit 0 ;;
esac

if [ -d /run/systemd/system ]; then
	systemctl --no-reload disable --now lifeboat.service >/dev/null 2>&1 || true
fi
exit 0
