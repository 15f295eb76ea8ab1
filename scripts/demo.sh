#!/usr/bin/env bash
# The local example, end to end: the daemon (lifeboat run) fails over from provider alpha to
# provider bravo by itself when alpha's host stops.
# Everything runs on loopback: BIND on 127.0.0.1:15353, alpha's host on 127.0.0.11:18080,
# bravo's host on 127.0.0.12:18080. State goes to examples/local/run/ (ignored by git).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
ex="$root/examples/local"
run="$ex/run"
lifeboat="$root/bin/lifeboat"
tofu="$root/.tools/bin/tofu"
named=$(command -v named || echo /usr/sbin/named)
export TF_CLI_CONFIG_FILE="$root/.tools/tofurc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

# get IP PORT prints the body of http://IP:PORT/ (bash's /dev/tcp: no curl needed).
get() {
  exec 3<>"/dev/tcp/$1/$2" || return 1
  printf 'GET / HTTP/1.0\r\nHost: www.example.test\r\n\r\n' >&3
  sed '1,/^\r$/d' <&3
  exec 3<&-
}

cleanup() {
  [ -n "${daemon:-}" ] && kill "$daemon" 2>/dev/null || true
  [ -f "$run/bind/named.pid" ] && kill "$(cat "$run/bind/named.pid")" 2>/dev/null || true
  for p in "$run"/*.pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null || true; done
}
trap cleanup EXIT

# Start from nothing, so the demo can be run again.
cleanup
for ws in alpha bravo; do
  rm -rf "$ex/infra/$ws/.terraform" "$ex/infra/$ws/terraform.tfstate"* "$ex/infra/$ws/.terraform.lock.hcl"
done
rm -rf "$run"
mkdir -p "$run/bind"

step "lifeboat validate"
"$lifeboat" validate -c "$ex/lifeboat.hcl"

step "Starting BIND for example.test on 127.0.0.1:15353"
key=$(cat "$ex/demo-tsig.secret")
cat >"$run/bind/tsig.key" <<KEY
key "lifeboat-demo" { algorithm hmac-sha256; secret "$key"; };
KEY
cat >"$run/bind/named.conf" <<CONF
include "$run/bind/tsig.key";
options {
  directory "$run/bind"; pid-file "$run/bind/named.pid"; session-keyfile "$run/bind/session.key";
  managed-keys-directory "$run/bind"; lock-file "$run/bind/named.lock";
  listen-on port 15353 { 127.0.0.1; }; listen-on-v6 { none; };
  recursion no; dnssec-validation no; allow-query { 127.0.0.1; }; notify no;
};
controls { };
zone "example.test" {
  type primary; file "$run/bind/db.example.test"; journal "$run/bind/db.example.test.jnl";
  allow-update { key "lifeboat-demo"; }; allow-transfer { key "lifeboat-demo"; };
};
CONF
cat >"$run/bind/db.example.test" <<ZONE
\$TTL 60
@   IN SOA ns1.example.test. hostmaster.example.test. 1 3600 600 86400 60
@   IN NS  ns1.example.test.
ns1 IN A   127.0.0.1
www IN A   127.0.0.11
ZONE
"$named" -4 -g -c "$run/bind/named.conf" >"$run/bind/named.log" 2>&1 &
for _ in $(seq 50); do dig +short @127.0.0.1 -p 15353 www.example.test A >/dev/null 2>&1 && break; sleep 0.1; done

step "Provider alpha brings its host up (tofu apply in examples/local/infra/alpha)"
"$tofu" -chdir="$ex/infra/alpha" init -input=false >/dev/null
"$tofu" -chdir="$ex/infra/alpha" apply -input=false -auto-approve -var active=true >/dev/null
echo "DNS:   www.example.test A $(dig +short @127.0.0.1 -p 15353 www.example.test A)"
echo "HTTP:  $(get 127.0.0.11 18080)"

step "lifeboat prepare (every workspace initialised ahead of the emergency)"
"$lifeboat" prepare -c "$ex/lifeboat.hcl"

step "lifeboat run: the daemon watches alpha and bravo (log in examples/local/run/daemon.log)"
"$lifeboat" run -c "$ex/lifeboat.hcl" >"$run/daemon.log" 2>&1 &
daemon=$!
for _ in $(seq 100); do grep -q "control socket" "$run/daemon.log" && break; sleep 0.1; done
grep -q "control socket" "$run/daemon.log" || { cat "$run/daemon.log"; exit 1; }
sleep 2.5 # a first round of checks
"$lifeboat" status -c "$ex/lifeboat.hcl"

step "Alpha cuts us off: its host stops answering. Nobody types anything."
kill "$(cat "$run/alpha.pid")"
cut=$(date +%s.%N)
addr=""
for _ in $(seq 600); do
  addr=$(dig +short @127.0.0.1 -p 15353 www.example.test A)
  [ "$addr" = "127.0.0.12" ] && break
  sleep 0.1
done
[ "$addr" = "127.0.0.12" ] || { echo "lifeboat did not fail over by itself"; cat "$run/daemon.log"; exit 1; }
echo "lifeboat failed over by itself: $(echo "$(date +%s.%N) - $cut" | bc | xargs printf '%.1f') s from alpha's host stopping to DNS answering bravo"
echo "(policy.interval 2s x policy.fail_after 3 to confirm the loss, then apply, health checks, DNS)"

step "The daemon's log"
grep -E 'provider state changed|decision:' "$run/daemon.log" | sed 's/^time=[^ ]* //'

step "After the failover"
echo "DNS:   www.example.test A $addr"
echo "HTTP:  $(get "$addr" 18080)"

step "lifeboat failover --yes, typed by an operator anyway: it runs in the daemon, already done"
"$lifeboat" failover -c "$ex/lifeboat.hcl" --yes

step "lifeboat history --decisions (what the daemon decided, and why)"
"$lifeboat" history -c "$ex/lifeboat.hcl" --decisions

step "lifeboat history (the failover's timeline)"
"$lifeboat" history -c "$ex/lifeboat.hcl"

step "Stopping the daemon (SIGTERM)"
kill -TERM "$daemon"
wait "$daemon"
echo "stopped"
