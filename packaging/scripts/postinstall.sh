#!/bin/sh
# After install or upgrade, for both the .deb (argument "configure") and
# the .rpm (argument 1 or 2): the lifeboat system user, the ownership the
# package cannot carry (the user does not exist when its files unpack),
# and systemd told about the unit. The service is not enabled or started:
# it needs /etc/lifeboat/lifeboat.hcl first (see lifeboat.hcl.example).
set -e

case "$1" in
configure | 1 | 2 | "") ;;
*) exit 0 ;;
esac

if ! getent passwd lifeboat >/dev/null; then
	if [ -f /etc/debian_version ] && command -v adduser >/dev/null 2>&1; then
		adduser --system --group --home /var/lib/lifeboat --no-create-home \
			--gecos "lifeboat failover daemon" --quiet lifeboat
	else
		getent group lifeboat >/dev/null || groupadd --system lifeboat
		useradd --system --gid lifeboat --home-dir /var/lib/lifeboat --no-create-home \
			--shell /sbin/nologin --comment "lifeboat failover daemon" lifeboat
	fi
fi

# The secrets file: readable by the daemon's group, by no one else.
if [ -f /etc/lifeboat/lifeboat.env ]; then
	chown root:lifeboat /etc/lifeboat/lifeboat.env
	chmod 0640 /etc/lifeboat/lifeboat.env
fi
# The journal, the control socket and the OpenTofu workspaces.
mkdir -p /var/lib/lifeboat
chown lifeboat:lifeboat /var/lib/lifeboat
chmod 0750 /var/lib/lifeboat

if [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null 2>&1 || true
	# An upgrade restarts a running daemon on the new binary; it resumes an
	# interrupted operation from the journal.
	if systemctl is-active --quiet lifeboat.service; then
		systemctl try-restart lifeboat.service || true
	fi
fi
exit 0
