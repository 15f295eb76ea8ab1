package config_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// fakeDNSSettings stands in for the DNS registry's checker: it knows two
// types, and rfc2136 needs a server.
func fakeDNSSettings(typ string, settings map[string]string) error {
	switch typ {
	case "rfc2136":
		if settings["server"] == "" {
			return errors.New(`missing setting "server"`)
		}
		for k := range settings {
			if k != "server" && k != "key" && k != "key_name" && k != "key_alg" {
				return fmt.Errorf("unknown setting %q", k)
			}
		}
		return nil
	case "cloudflare":
		return nil
	}
	return fmt.Errorf("%w %q", config.ErrUnknownDNSType, typ)
}

var testEnv = map[string]string{
	"LIFEBOAT_SECRET":  "hunter2-very-secret",
	"CF_API_TOKEN":     "cf-token-value-123",
	"AWS_PROBE_TOKEN":  "aws-token-value-456",
	"LIFEBOAT_WEBHOOK": "https://hooks.example.net/T0/B0/xyzzy",
}

func testOptions() config.Options {
	return config.Options{
		DNSSettings: fakeDNSSettings,
		LookupEnv: func(k string) (string, bool) {
			v, ok := testEnv[k]
			return v, ok
		},
	}
}

// One provider and one service, to build invalid cases on.
const base = `provider "a" {
}
`

type invalidCase struct {
	name      string
	src       string
	line, col int
	msg       string // fragment of the message at line:col
}

var invalidCases = []invalidCase{
	{"unknown attribute", "policy {\n  intervall = \"5s\"\n}\n", 2, 3, `An argument named "intervall" is not expected here`},
	{"unknown block", "bogus {\n}\n", 1, 1, `Blocks of type "bogus" are not expected here`},
	{"unknown nested block", "provider \"a\" {\n  healthcheck {\n  }\n}\n", 2, 3, `Blocks of type "healthcheck" are not expected here`},
	{"missing label", "service {\n}\n", 1, 9, "Missing name for service"},
	{"syntax error", "policy {\n  interval = \n}\n", 2, 14, "Invalid expression"},
	{"wrong type", base + "service \"s\" {\n  records = [\"@\"]\n  candidates = [\"a\"]\n  ttl = \"abc\"\n  check \"up\" {\n    tcp { port = 80 }\n  }\n}\n", 6, 10, "a number is required"},
	// A provider's checks say whether the provider is up; only the
	// service's own can confirm a new target serves it.
	{"service without a check", "provider \"a\" {\n  check \"c\" {\n    tcp {\n      port = 22\n    }\n  }\n}\nservice \"s\" {\n  records = [\"@\"]\n  candidates = [\"a\"]\n}\n", 8, 1, `service "s": has no check block: add at least one`},
	{"duplicate provider", base + "provider \"a\" {\n}\n", 3, 10, `provider "a": duplicate name, the first is at line 1`},
	{"duplicate service", base + "service \"s\" {\n  records = [\"@\"]\n  candidates = [\"a\"]\n  check \"up\" {\n    tcp { port = 80 }\n  }\n}\nservice \"s\" {\n  records = [\"www\"]\n  candidates = [\"a\"]\n  check \"up\" {\n    tcp { port = 80 }\n  }\n}\n", 10, 9, `service "s": duplicate name, the first is at line 3`},
	{"duplicate check", "provider \"a\" {\n  check \"c\" {\n    tcp {\n      port = 22\n    }\n  }\n  check \"c\" {\n    tcp {\n      port = 23\n    }\n  }\n}\n", 7, 9, `provider "a": check "c": duplicate name, the first is at line 2`},
	{"empty name", "provider \"\" {\n}\n", 1, 10, "provider: the name must not be empty"},
	{"policy twice", "policy {\n}\npolicy {\n}\n", 3, 1, "policy: only one policy block is allowed, the first is at line 1"},
	{"state twice", "state {\n}\n\nstate {\n}\n", 4, 1, "only one state block is allowed, the first is at line 1"},
	{"terraform block twice in provider", "provider \"a\" {\n  terraform {\n    dir = \"x\"\n  }\n  terraform {\n    dir = \"y\"\n  }\n}\n", 5, 3, `provider "a": terraform: only one terraform block is allowed`},
	{"bad duration", "policy {\n  interval = \"5x\"\n}\n", 2, 3, `policy.interval: invalid duration "5x"`},
	{"negative duration", "policy {\n  fail_after = 2\n  cooldown = \"-1m\"\n}\n", 3, 3, `policy.cooldown: duration must be positive, got "-1m"`},
	{"zero duration", base + "service \"s\" {\n  records = [\"@\"]\n  candidates = [\"a\"]\n  check \"c\" {\n    http {\n      max_latency = \"0s\"\n    }\n  }\n}\n", 8, 7, `service "s" check "c": http.max_latency: duration must be positive`},
	{"zero fail_after", "policy {\n  fail_after = 0\n}\n", 2, 3, "policy.fail_after: must be at least 1, got 0"},
	{"negative recover_after", "policy {\n  recover_after = -2\n}\n", 2, 3, "policy.recover_after: must be at least 1, got -2"},
	{"zero max_auto_failovers", "policy {\n  max_auto_failovers = 0\n}\n", 2, 3, "policy.max_auto_failovers: must be at least 1, got 0"},
	{"bad auto_failover_window", "policy {\n  auto_failover_window = \"1d\"\n}\n", 2, 3, `policy.auto_failover_window: invalid duration "1d"`},
	{"zero concurrency", "policy {\n  concurrency = 0\n}\n", 2, 3, "policy.concurrency: must be at least 1"},
	{"quorum zero", "policy {\n  quorum = 0\n}\n", 2, 3, "policy.quorum: must be greater than 0 and at most 1, got 0"},
	{"quorum above one", "policy {\n  quorum = 1.5\n}\n", 2, 3, "policy.quorum: must be greater than 0 and at most 1, got 1.5"},
	{"ttl zero", base + "service \"s\" {\n  records = [\"@\"]\n  candidates = [\"a\"]\n  ttl = 0\n  check \"up\" {\n    tcp { port = 80 }\n  }\n}\n", 6, 3, `service "s": ttl: must be between 1 and 86400, got 0`},
	{"ttl too long", base + "service \"s\" {\n  records = [\"@\"]\n  candidates = [\"a\"]\n  ttl = 86401\n  check \"up\" {\n    tcp { port = 80 }\n  }\n}\n", 6, 3, `service "s": ttl: must be between 1 and 86400, got 86401`},
	{"bad cron", base + "service \"s\" {\n  records = [\"@\"]\n  candidates = [\"a\"]\n  check \"up\" {\n    tcp { port = 80 }\n  }\n}\ndrill \"d\" {\n  service = \"s\"\n  schedule = \"61 * * * *\"\n}\n", 12, 3, `drill "d": schedule: invalid cron schedule`},
	{"cron never fires", base + "service \"s\" {\n  records = [\"@\"]\n  candidates = [\"a\"]\n  check \"up\" {\n    tcp { port = 80 }\n  }\n}\ndrill \"d\" {\n  service = \"s\"\n  schedule = \"0 0 30 2 *\"\n}\n", 12, 3, "never fires"},
	{"cron zone without fields", base + "service \"s\" {\n  records = [\"@\"]\n  candidates = [\"a\"]\n  check \"up\" {\n    tcp { port = 80 }\n  }\n}\ndrill \"d\" {\n  service = \"s\"\n  schedule = \"TZ=UTC\"\n}\n", 12, 3, "invalid cron schedule"},
	{"unknown candidate", base + "service \"www\" {\n  records = [\"@\"]\n  candidates = [\"a\", \"ovh\"]\n  check \"up\" {\n    tcp { port = 80 }\n  }\n}\n", 5, 3, `service "www": candidates: provider "ovh" is not declared`},
	{"duplicate candidate", base + "service \"www\" {\n  records = [\"@\"]\n  candidates = [\"a\", \"a\"]\n  check \"up\" {\n    tcp { port = 80 }\n  }\n}\n", 5, 3, `service "www": candidates: "a" listed twice`},
	{"no candidates", base + "service \"www\" {\n  records = [\"@\"]\n  candidates = []\n  check \"up\" {\n    tcp { port = 80 }\n  }\n}\n", 5, 3, `service "www": candidates: at least one candidate is required`},
	{"candidates missing", base + "service \"www\" {\n  records = [\"@\"]\n  check \"up\" {\n    tcp { port = 80 }\n  }\n}\n", 3, 1, `service "www": candidates: at least one candidate is required`},
	{"undeclared dns", base + "service \"www\" {\n  records = [\"@\"]\n  candidates = [\"a\"]\n  dns = [\"primary\"]\n  check \"up\" {\n    tcp { port = 80 }\n  }\n}\n", 6, 3, `service "www": dns: dns "primary" is not declared`},
	{"record with trailing dot", base + "service \"www\" {\n  records = [\"www.example.com.\"]\n  candidates = [\"a\"]\n  check \"up\" {\n    tcp { port = 80 }\n  }\n}\n", 4, 3, "must be a name relative to the zone"},
	{"unknown dns type", "dns \"d\" {\n  zone = \"example.com.\"\n  type = \"bind\"\n}\n", 3, 3, `dns "d": type: unknown DNS provider type "bind"`},
	{"bad dns settings", "dns \"d\" {\n  type = \"rfc2136\"\n  zone = \"example.com.\"\n  settings = {\n    server = \"127.0.0.1:53\"\n    keyname = \"x\"\n  }\n}\n", 4, 3, `dns "d": settings: unknown setting "keyname"`},
	{"missing dns settings", "dns \"d\" {\n  type = \"rfc2136\"\n  zone = \"example.com.\"\n}\n", 1, 1, `dns "d": settings: missing setting "server"`},
	{"dns without zone", "dns \"d\" {\n  type = \"cloudflare\"\n}\n", 1, 1, `dns "d": zone: is required`},
	{"bad zone", "dns \"d\" {\n  type = \"cloudflare\"\n  zone = \"example..com\"\n}\n", 3, 3, `dns "d": zone: must be a domain name`},
	{"bad nameserver", "dns \"d\" {\n  type = \"cloudflare\"\n  zone = \"example.com\"\n  nameservers = [\"ns1.example.com\"]\n}\n", 4, 3, `dns "d": nameservers: must be host:port, got "ns1.example.com"`},
	{"missing env var", "dns \"d\" {\n  type = \"cloudflare\"\n  zone = \"example.com\"\n  settings = { api_token = env(\"NO_SUCH_VAR\") }\n}\n", 4, 28, "environment variable NO_SUCH_VAR is not set"},
	{"missing file", "dns \"d\" {\n  type = \"rfc2136\"\n  zone = \"example.com\"\n  settings = {\n    server = \"127.0.0.1:53\"\n    key = file(\"secrets/missing.key\")\n  }\n}\n", 6, 11, `cannot read "secrets/missing.key"`},
	{"unknown function", "state {\n  path = upper(\"x\")\n}\n", 2, 10, `There is no function named "upper"`},
	{"drill unknown service", base + "drill \"d\" {\n  service = \"www\"\n}\n", 4, 3, `drill "d": service: service "www" is not declared`},
	{"drill without service", "drill \"d\" {\n  mode = \"full\"\n}\n", 1, 1, `drill "d": service: is required`},
	{"drill unknown target", base + "service \"s\" {\n  records = [\"@\"]\n  candidates = [\"a\"]\n  check \"up\" {\n    tcp { port = 80 }\n  }\n}\ndrill \"d\" {\n  service = \"s\"\n  target = \"gcp\"\n}\n", 12, 3, `drill "d": target: provider "gcp" is not declared`},
	{"bad drill mode", base + "service \"s\" {\n  records = [\"@\"]\n  candidates = [\"a\"]\n  check \"up\" {\n    tcp { port = 80 }\n  }\n}\ndrill \"d\" {\n  service = \"s\"\n  mode = \"chaos\"\n}\n", 12, 3, `drill "d": mode: must be one of readiness, canary, full, restore, got "chaos"`},
	{"bad standby", "provider \"a\" {\n  standby = \"hot\"\n}\n", 2, 3, `provider "a": standby: must be one of active, warm, cold, got "hot"`},
	{"terraform without dir", "provider \"a\" {\n  terraform {\n    workspace = \"w\"\n  }\n}\n", 2, 3, `provider "a": terraform.dir: is required`},
	{"terraform empty dir", "provider \"a\" {\n  terraform {\n    dir = \"\"\n  }\n}\n", 3, 5, `provider "a": terraform.dir: must not be empty`},
	{"two probers", "provider \"a\" {\n  check \"c\" {\n    http {\n      path = \"/\"\n    }\n    tcp {\n      port = 80\n    }\n  }\n}\n", 6, 5, `provider "a" check "c": tcp: only one prober block per check, this one already has http at line 3`},
	{"no prober", "provider \"a\" {\n  check \"c\" {\n    interval = \"10s\"\n  }\n}\n", 2, 3, `provider "a" check "c": needs one prober block`},
	{"bad regex", "provider \"a\" {\n  check \"c\" {\n    http {\n      body_regex = \"(ok\"\n    }\n  }\n}\n", 4, 7, `http.body_regex: invalid regular expression: missing closing )`},
	{"bad header regex", "provider \"a\" {\n  check \"c\" {\n    http {\n      expect_headers = { Server = \"[a\" }\n    }\n  }\n}\n", 4, 7, `invalid regular expression for header "Server"`},
	{"bad url scheme", "provider \"a\" {\n  check \"c\" {\n    http {\n      url = \"ftp://example.com/\"\n    }\n  }\n}\n", 4, 7, `http.url: URL scheme must be http or https`},
	{"unparsable url", "provider \"a\" {\n  check \"c\" {\n    http {\n      url = \"http://exa mple.com/\"\n    }\n  }\n}\n", 4, 7, `http.url: invalid URL`},
	{"url and path", "provider \"a\" {\n  check \"c\" {\n    http {\n      url  = \"https://example.com/\"\n      path = \"/healthz\"\n    }\n  }\n}\n", 5, 7, "url and path are mutually exclusive"},
	{"path without slash", "provider \"a\" {\n  check \"c\" {\n    http {\n      path = \"healthz\"\n    }\n  }\n}\n", 4, 7, `http.path: must start with /`},
	{"bad status", "provider \"a\" {\n  check \"c\" {\n    http {\n      expect_status = [200, 700]\n    }\n  }\n}\n", 4, 7, "http.expect_status: 700 is not an HTTP status"},
	{"bad http port", "provider \"a\" {\n  check \"c\" {\n    http {\n      port = 70000\n    }\n  }\n}\n", 4, 7, "http.port: must be between 1 and 65535, got 70000"},
	{"bad scheme", "provider \"a\" {\n  check \"c\" {\n    http {\n      scheme = \"gopher\"\n    }\n  }\n}\n", 4, 7, `http.scheme: must be one of http, https`},
	{"tcp address and port", "provider \"a\" {\n  check \"c\" {\n    tcp {\n      address = \"127.0.0.1:22\"\n      port = 22\n    }\n  }\n}\n", 5, 7, "tcp.port: address and port are mutually exclusive"},
	{"tcp neither", "provider \"a\" {\n  check \"c\" {\n    tcp {\n      send = \"PING\"\n    }\n  }\n}\n", 3, 5, "tcp: one of address or port is required"},
	{"tcp port zero", "provider \"a\" {\n  check \"c\" {\n    tcp {\n      port = 0\n    }\n  }\n}\n", 4, 7, "tcp.port: must be between 1 and 65535, got 0"},
	{"dns check type", "provider \"a\" {\n  check \"c\" {\n    dns {\n      server = \"127.0.0.1:53\"\n      name = \"example.com\"\n      type = \"XYZ\"\n    }\n  }\n}\n", 6, 7, `dns.type: must be one of A, AAAA`},
	{"dns check without name", "provider \"a\" {\n  check \"c\" {\n    dns {\n      server = \"127.0.0.1:53\"\n    }\n  }\n}\n", 3, 5, `dns.name: is required`},
	{"exec empty command", "provider \"a\" {\n  check \"c\" {\n    exec {\n      command = []\n    }\n  }\n}\n", 4, 7, `exec.command: must name a program`},
	{"provider_api without url", "provider \"a\" {\n  check \"c\" {\n    provider_api {\n      token = \"t\"\n    }\n  }\n}\n", 3, 5, `provider_api.url: is required`},
	{"empty lost_pattern", "provider \"a\" {\n  check \"c\" {\n    provider_api {\n      url = \"https://api.example.com/\"\n      lost_pattern = \"\"\n    }\n  }\n}\n", 5, 7, `provider_api.lost_pattern: must not be empty`},
	{"notify with both", "notify \"ops\" {\n  webhook {\n    url = \"https://a.example/h\"\n  }\n  slack {\n    url = \"https://hooks.example/T/B/x\"\n  }\n}\n", 1, 1, `notify "ops": one destination per notify block`},
	{"slack without url", "notify \"ops\" {\n  slack {\n  }\n}\n", 2, 3, `notify "ops": slack.url: is required`},
	{"notify retries too many", "notify \"ops\" {\n  retries = 50\n  slack {\n    url = \"https://hooks.example/x\"\n  }\n}\n", 2, 3, `notify "ops": retries: must be between 0 and 10, got 50`},
	{"server twice", "server {\n}\nserver {\n}\n", 3, 1, "server: only one server block is allowed, the first is at line 1"},
	{"server bad listen", "server {\n  listen = \"9797\"\n}\n", 2, 3, `server.listen: must be host:port`},
	{"server open on the network", "server {\n  listen = \"0.0.0.0:9797\"\n  tls_cert = \"c.pem\"\n  tls_key = \"k.pem\"\n}\n", 1, 1, "server.read_token: is required when listen is not a loopback address"},
	{"server plaintext on the network", "server {\n  listen = \"192.0.2.7:9797\"\n  read_token = \"0123456789abcdef0\"\n}\n", 2, 3, "server.listen: is not a loopback address (192.0.2.7:9797) and no tls_cert is set"},
	{"server plaintext wildcard", "server {\n  read_token = \"0123456789abcdef0\"\n  listen = \"[::]:9797\"\n}\n", 3, 3, "server.listen: is not a loopback address ([::]:9797) and no tls_cert is set"},
	{"server advertise http", "server {\n  advertise = \"http://n1.example.net:9797\"\n}\n", 2, 3, "server.advertise: must be https when its host is not a loopback address"},
	{"server per client above total", "server {\n  max_connections = 8\n  max_connections_per_client = 9\n}\n", 3, 3, "server.max_connections_per_client: (9) must not exceed max_connections (8)"},
	{"server zero connections", "server {\n  max_connections = 0\n}\n", 2, 3, "server.max_connections: must be at least 1, got 0"},
	{"server idle timeout", "server {\n  idle_timeout = \"0s\"\n}\n", 2, 3, "server.idle_timeout: duration must be positive"},
	{"etcd password over http", "state {\n  etcd {\n    endpoints = [\"https://10.0.0.1:2379\", \"http://10.0.0.2:2379\"]\n    username = \"lb\"\n    password = \"etcd-secret-pw\"\n  }\n}\n", 5, 5, `state.etcd.password: would cross the network in clear: endpoint "http://10.0.0.2:2379" is not https`},
	{"etcd password without scheme or tls", "state {\n  etcd {\n    endpoints = [\"etcd.example.net:2379\"]\n    password = \"etcd-secret-pw\"\n  }\n}\n", 4, 5, `state.etcd.password: would cross the network in clear: endpoint "etcd.example.net:2379"`},
	{"server short token", "server {\n  operate_token = \"abc\"\n}\n", 2, 3, "server.operate_token: is too short"},
	{"server same tokens", "server {\n  read_token = \"0123456789abcdef0\"\n  operate_token = \"0123456789abcdef0\"\n}\n", 3, 3, "server.operate_token: must differ from read_token"},
	{"server tls half", "server {\n  tls_cert = \"c.pem\"\n}\n", 1, 1, "server: tls_cert and tls_key go together"},
	{"notify without webhook", "notify \"ops\" {\n  events = [\"failover\"]\n}\n", 1, 1, `notify "ops": a webhook or a slack block is required`},
	{"notify unknown event", "notify \"ops\" {\n  events = [\"failover\", \"failovr\"]\n  webhook {\n    url = \"https://example.com/\"\n  }\n}\n", 2, 3, `notify "ops": events: unknown event "failovr" (known: failover, failback, drill, provider_state, decision, data)`},
	{"webhook bad url", "notify \"ops\" {\n  webhook {\n    url = \"mailto:ops@example.com\"\n  }\n}\n", 3, 5, `notify "ops": webhook.url: URL scheme must be http or https`},
	{"etcd without endpoints", "state {\n  etcd {\n    prefix = \"/lb/\"\n  }\n}\n", 2, 3, "state.etcd.endpoints: at least one endpoint is required"},
	{"etcd node name", "state {\n  etcd {\n    endpoints = [\"http://127.0.0.1:2379\"]\n    node = \"N 1\"\n  }\n}\n", 4, 5, `state.etcd.node: must be 1 to 63 lowercase letters`},
	{"etcd lease too short", "state {\n  etcd {\n    endpoints = [\"http://127.0.0.1:2379\"]\n    lease = \"1s\"\n  }\n}\n", 4, 5, "state.etcd.lease: must be between 2s (etcd's shortest lease) and 1m, got 1s"},
	{"etcd cert without key", "state {\n  etcd {\n    endpoints = [\"http://127.0.0.1:2379\"]\n    cert_file = \"c.pem\"\n  }\n}\n", 2, 3, "cert_file and key_file go together"},
	{"node_quorum negative", "policy {\n  node_quorum = -1\n}\n", 2, 3, "policy.node_quorum: must be at least 0, got -1"},
	{"etcd node upper case", "state {\n  etcd {\n    endpoints = [\"http://127.0.0.1:2379\"]\n    node = \"N1\"\n  }\n}\n", 4, 5, `state.etcd.node: must be 1 to 63 lowercase letters, digits, '.', '-' or '_', starting with a letter or digit, got "N1"`},
	{"etcd node too long", "state {\n  etcd {\n    endpoints = [\"http://127.0.0.1:2379\"]\n    node = \"" + strings.Repeat("n", 64) + "\"\n  }\n}\n", 4, 5, "state.etcd.node: must be 1 to 63"},
	{"etcd node starts with a dash", "state {\n  etcd {\n    endpoints = [\"http://127.0.0.1:2379\"]\n    node = \"-n1\"\n  }\n}\n", 4, 5, "state.etcd.node: must be 1 to 63"},
	{"etcd node empty", "state {\n  etcd {\n    endpoints = [\"http://127.0.0.1:2379\"]\n    node = \"\"\n  }\n}\n", 4, 5, "state.etcd.node: must not be empty"},
	{"etcd lease under 2s before rounding", "state {\n  etcd {\n    endpoints = [\"http://127.0.0.1:2379\"]\n    lease = \"1500ms\"\n  }\n}\n", 4, 5, "state.etcd.lease: must be between 2s (etcd's shortest lease) and 1m, got 1.5s"},
	{"etcd lease too long", "state {\n  etcd {\n    endpoints = [\"http://127.0.0.1:2379\"]\n    lease = \"61s\"\n  }\n}\n", 4, 5, "state.etcd.lease: must be between 2s (etcd's shortest lease) and 1m, got 1m1s"},
	{"etcd lease not a duration", "state {\n  etcd {\n    endpoints = [\"http://127.0.0.1:2379\"]\n    lease = \"3\"\n  }\n}\n", 4, 5, `state.etcd.lease: invalid duration "3"`},
	{"etcd key without cert", "state {\n  etcd {\n    endpoints = [\"http://127.0.0.1:2379\"]\n    key_file = \"k.pem\"\n  }\n}\n", 2, 3, "state.etcd: cert_file and key_file go together: set both or neither"},
	{"etcd empty ca_file", "state {\n  etcd {\n    endpoints = [\"http://127.0.0.1:2379\"]\n    ca_file = \"\"\n  }\n}\n", 4, 5, "state.etcd.ca_file: must not be empty"},
	{"etcd max_records too small", "state {\n  etcd {\n    endpoints = [\"http://127.0.0.1:2379\"]\n    max_records = 99\n  }\n}\n", 4, 5, "state.etcd.max_records: must be at least 100, got 99"},
	{"advertise not http", "server {\n  advertise = \"ftp://n1.example.net/\"\n}\n", 2, 3, `server.advertise: must be an http or https URL with a host, such as https://n1.example.net:9797, got "ftp://n1.example.net/"`},
	{"advertise without a host", "server {\n  advertise = \"https:///\"\n}\n", 2, 3, "server.advertise: must be an http or https URL with a host"},
	{"advertise with a query", "server {\n  advertise = \"https://n1.example.net/?a=b\"\n}\n", 2, 3, "server.advertise: must be the API's base URL, without a path, query, fragment or credentials"},
	{"advertise with a fragment", "server {\n  advertise = \"https://n1.example.net/#top\"\n}\n", 2, 3, "server.advertise: must be the API's base URL"},
	{"advertise with credentials", "server {\n  advertise = \"https://u:p@n1.example.net\"\n}\n", 2, 3, "server.advertise: must be the API's base URL"},
	{"advertise with a path", "server {\n  advertise = \"http://127.0.0.1:9797/api\"\n}\n", 2, 3, "server.advertise: must be the API's base URL"},
	{"advertise not a URL", "server {\n  advertise = \"n1.example.net:9797\"\n}\n", 2, 3, "server.advertise: must be an http or https URL with a host"},
	{"empty state path", "state {\n  path = \"\"\n}\n", 2, 3, "state.path: must not be empty"},
	{"label with comma", "dns \"a,b\" {\n  type = \"cloudflare\"\n  zone = \"example.com\"\n}\n", 1, 5, `dns "a,b": a name must start with a letter or digit and contain only letters, digits, '-', '_' and '.' (at most 64 characters)`},
	{"label with space", "provider \"a b\" {\n}\n", 1, 10, `provider "a b": a name must start with a letter or digit`},
	{"label with slash", base + "service \"www/x\" {\n  records = [\"@\"]\n  candidates = [\"a\"]\n  check \"up\" {\n    tcp { port = 80 }\n  }\n}\n", 3, 9, `service "www/x": a name must`},
	{"label starting with dash", base + "service \"-www\" {\n  records = [\"@\"]\n  candidates = [\"a\"]\n  check \"up\" {\n    tcp { port = 80 }\n  }\n}\n", 3, 9, `service "-www": a name must`},
	{"check label", "provider \"a\" {\n  check \"c:1\" {\n    tcp {\n      port = 22\n    }\n  }\n}\n", 2, 9, `provider "a": check "c:1": a name must`},
	{"drill label too long", base + "service \"s\" {\n  records = [\"@\"]\n  candidates = [\"a\"]\n  check \"up\" {\n    tcp { port = 80 }\n  }\n}\ndrill \"" + strings.Repeat("d", 65) + "\" {\n  service = \"s\"\n}\n", 10, 7, `drill "` + strings.Repeat("d", 65) + `": a name must`},
	{"notify label unicode", "notify \"öps\" {\n  webhook {\n    url = \"https://example.com/\"\n  }\n}\n", 1, 8, `notify "öps": a name must`},
	{"registrar zone not served", "dns \"a\" {\n  type = \"cloudflare\"\n  zone = \"example.test\"\n}\nregistrar \"p\" {\n  type = \"rfc2136\"\n  zone = \"other.test\"\n}\n", 7, 3, `registrar "p": zone: no dns block serves zone "other.test"`},
	{"registrar twice for a zone", "dns \"a\" {\n  type = \"cloudflare\"\n  zone = \"example.test\"\n}\nregistrar \"p\" {\n  type = \"cloudflare\"\n  zone = \"example.test\"\n}\nregistrar \"q\" {\n  type = \"cloudflare\"\n  zone = \"example.test.\"\n}\n", 11, 3, `registrar "q": zone: zone example.test. already has registrar "p" (line 5): one registrar per zone`},
	{"registrar without type", "dns \"a\" {\n  type = \"cloudflare\"\n  zone = \"example.test\"\n}\nregistrar \"p\" {\n  zone = \"example.test\"\n}\n", 5, 1, `registrar "p": type: is required`},
	{"proxied not cloudflare", "dns \"a\" {\n  type = \"rfc2136\"\n  zone = \"example.test\"\n  settings = { server = \"127.0.0.1:53\" }\n  proxied = [\"www\"]\n}\n", 5, 3, `dns "a": proxied: only a dns block of type "cloudflare" has proxied records`},
	{"proxied and not_proxied", "dns \"a\" {\n  type = \"cloudflare\"\n  zone = \"example.test\"\n  proxied = [\"www\"]\n  not_proxied = [\"WWW\"]\n}\n", 5, 3, `dns "a": not_proxied: "www" is also in proxied`},
	{"proxied fqdn", "dns \"a\" {\n  type = \"cloudflare\"\n  zone = \"example.test\"\n  proxied = [\"www.example.test.\"]\n}\n", 4, 3, `dns "a": proxied: "www.example.test." must be a name relative to the zone`},
	{"ns_names not a name", "dns \"a\" {\n  type = \"cloudflare\"\n  zone = \"example.test\"\n  ns_names = [\"ns1 .example.test\"]\n}\n", 4, 3, `dns "a": ns_names: must be a domain name`},
	{"emergency_ttl fraction", "policy {\n  emergency_ttl = \"1500ms\"\n}\n", 2, 3, "policy.emergency_ttl: must be whole seconds (DNS TTLs are), got 1.5s"},
	{"warn_pattern invalid", "provider \"a\" {\n  check \"c\" {\n    provider_api {\n      url = \"https://api.example.com/\"\n      warn_pattern = \"(\"\n    }\n  }\n}\n", 5, 7, "provider_api.warn_pattern: invalid regular expression"},
	{"state path is the socket's", "state {\n  path = \"run/x.sock\"\n}\n", 2, 3, "state.path: must not end in .sock"},
	{"pass_env not a name", "provider \"a\" {\n  terraform {\n    dir      = \"x\"\n    pass_env = [\"AWS KEY\"]\n  }\n}\n", 4, 5, `terraform.pass_env: "AWS KEY" is not an environment variable name`},
	{"pass_env TF_VAR_", "provider \"a\" {\n  terraform {\n    dir      = \"x\"\n    pass_env = [\"TF_VAR_token\"]\n  }\n}\n", 4, 5, `terraform.pass_env: "TF_VAR_token": workspace variables come from vars`},
	{"pass_env everything", "provider \"a\" {\n  check \"c\" {\n    exec {\n      command  = [\"true\"]\n      pass_env = [\"*\"]\n    }\n  }\n}\n", 5, 7, `exec.pass_env: "*" would pass the whole environment`},
	{"pass_env twice", "provider \"a\" {\n  check \"c\" {\n    exec {\n      command  = [\"true\"]\n      pass_env = [\"A\", \"A\"]\n    }\n  }\n}\n", 5, 7, `exec.pass_env: "A" listed twice`},
	{"terraform cli timeout", "terraform {\n  timeout = \"ten minutes\"\n}\n", 2, 3, `terraform.timeout: invalid duration "ten minutes"`},
}

func TestInvalid(t *testing.T) {
	if len(invalidCases) < 30 {
		t.Fatalf("only %d invalid cases", len(invalidCases))
	}
	for _, tc := range invalidCases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Parse("testdata/case.hcl", []byte(tc.src), testOptions())
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Fatalf("got %v, want *config.Error", err)
			}
			// One mistake, one message: no follow-on noise.
			if len(ce.Diags) != 1 {
				t.Errorf("got %d diagnostics, want 1:\n%v", len(ce.Diags), err)
			}
			for _, d := range ce.Diags {
				if d.Line == tc.line && d.Column == tc.col && strings.Contains(d.Message, tc.msg) {
					if d.Filename != "testdata/case.hcl" {
						t.Errorf("filename %q", d.Filename)
					}
					return
				}
			}
			t.Errorf("want %d:%d: ...%s...; got\n%v", tc.line, tc.col, tc.msg, err)
		})
	}
}
