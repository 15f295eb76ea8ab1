package scaffold

import (
	"fmt"
	"path"
	"strings"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// AddressOutput is the workspace output the skeleton declares: lifeboat's
// default, so the service leaves address_output out.
const AddressOutput = config.DefaultAddressOutput

// vendorHint is what the skeleton says of a hosting vendor it knows: the
// OpenTofu provider to use and the variables its credentials are read
// from (passed through pass_env).
type vendorHint struct {
	source  string
	passEnv []string
}

var vendorHints = map[string]vendorHint{
	"hetzner":      {"hetznercloud/hcloud", []string{"HCLOUD_TOKEN"}},
	"digitalocean": {"digitalocean/digitalocean", []string{"DIGITALOCEAN_TOKEN"}},
	"aws":          {"hashicorp/aws", []string{"AWS_*"}},
	"vultr":        {"vultr/vultr", []string{"VULTR_API_KEY"}},
	"linode":       {"linode/linode", []string{"LINODE_TOKEN"}},
	"scaleway":     {"scaleway/scaleway", []string{"SCW_*"}},
	"ovh":          {"ovh/ovh", []string{"OVH_*"}},
	"exoscale":     {"exoscale/exoscale", []string{"EXOSCALE_*"}},
	"upcloud":      {"UpCloudLtd/upcloud", []string{"UPCLOUD_*"}},
}

// quote is s as an HCL string literal.
func quote(s string) string {
	return strings.TrimSpace(string(hclwrite.TokensForValue(cty.StringVal(s)).Bytes()))
}

func quoteList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = quote(x)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// WorkspaceDir is provider p's workspace, relative to the configuration.
func WorkspaceDir(p Provider) string { return path.Join("infra", p.Name) }

// Config renders the configuration file of normalized answers.
func Config(a Answers) []byte {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("# lifeboat configuration, written by `lifeboat init`.\n")
	w("# Every attribute is described in docs/configuration.md; check the file\n")
	w("# with `lifeboat validate`.\n")
	w("#\n")
	w("# No secret is written here: each is read from the environment with env(),\n")
	w("# and lifeboat hides its value in plans, logs and the journal.\n")
	if sec := a.Secrets(); len(sec) > 0 {
		w("# Set these before running lifeboat:\n")
		for _, s := range sec {
			w("#   %s: %s\n", s.Env, s.For)
		}
	}
	w("# The hosting providers' credentials are read by the OpenTofu providers\n")
	w("# themselves: list them in each workspace's pass_env.\n\n")

	w("state {\n")
	w("  # The journal of operations, relative to this file. Keep it on the machine\n")
	w("  # that runs lifeboat, at neither hosting provider.\n")
	w("  path = %s\n", quote("lifeboat.db"))
	w("}\n\n")

	for _, d := range a.DNS {
		w("# A DNS provider serving %s; every service's records are set here.\n", d.Zone)
		w("dns %s {\n", quote(d.Name))
		w("  type   = %s\n", quote(d.Type))
		w("  zone   = %s\n", quote(d.Zone))
		w("  vendor = %s\n", quote(d.Vendor))
		w("  # jurisdiction = \"..\" # the ISO code of the country whose law governs the vendor (lifeboat audit)\n")
		plain, secret := plainSettings[d.Type], secretKeys(d.Type)
		if len(plain)+len(secret) == 0 {
			w("  # No settings: credentials come from the AWS environment (AWS_ACCESS_KEY_ID,\n")
			w("  # AWS_SECRET_ACCESS_KEY, a shared profile or an instance role).\n")
		} else {
			w("  settings = {\n")
			for _, s := range plain {
				w("    %s = %s # %s\n", s.key, quote(d.Settings[s.key]), s.help)
			}
			for _, k := range secret {
				w("    %s = env(%s)\n", k, quote(envName(d.Name, k)))
			}
			w("  }\n")
		}
		w("}\n\n")
	}

	for i, p := range a.Providers {
		if i == 0 {
			w("# The primary: where the services run first.\n")
		} else {
			w("# A standby, tried in the order of each service's candidates.\n")
		}
		w("provider %s {\n", quote(p.Name))
		w("  vendor  = %s\n", quote(p.Vendor))
		w("  standby = %s # active, warm or cold: how ready it is to serve\n", quote(p.Standby))
		w("  # jurisdiction = \"..\" # the ISO code of the country whose law governs the vendor (lifeboat audit)\n")
		w("  terraform {\n")
		w("    # Fill this workspace in: its main.tf says what it must hold.\n")
		w("    dir = %s\n", quote(WorkspaceDir(p)))
		if h, ok := vendorHints[p.Vendor]; ok {
			w("    # The variables the workspace's commands receive (nothing else is passed).\n")
			w("    pass_env = %s\n", quoteList(h.passEnv))
		} else {
			w("    # pass_env = [\"VENDOR_TOKEN\"] # the variables its commands receive (nothing else is passed)\n")
		}
		w("  }\n")
		w("}\n\n")
	}

	for _, s := range a.Services {
		w("service %s {\n", quote(s.Name))
		w("  records    = %s # relative to each zone; \"@\" is the apex\n", quoteList(s.Records))
		w("  ttl        = 60\n")
		w("  candidates = %s # in order of preference: the first is the primary\n", quoteList(s.Candidates))
		w("  # Applied to the workspace the service moves to; each workspace's\n")
		w("  # variable \"active\" turns the service on there. Its addresses are read\n")
		w("  # from the workspace's output %q.\n", AddressOutput)
		w("  vars = {\n")
		w("    active = %s\n", quote("true"))
		w("  }\n")
		w("  # lifeboat moves DNS only to a provider that passes this check.\n")
		w("  check \"http\" {\n")
		w("    http {\n")
		w("      path          = %s\n", quote(s.CheckPath))
		w("      scheme        = %s\n", quote("https"))
		w("      host          = %s # sent as Host and TLS server name to each address\n", quote(checkHost(s, a.DNS[0].Zone)))
		w("      expect_status = [200]\n")
		w("    }\n")
		w("  }\n")
		w("}\n\n")
	}

	w("policy {\n")
	w("  # lifeboat run fails over by itself only when this is true: start with a\n")
	w("  # person deciding (lifeboat failover), and turn it on once drills pass.\n")
	w("  auto_failover = false\n")
	w("}\n\n")

	w("# Rehearse the failover every Monday at 04:00: a readiness drill changes\n")
	w("# nothing (credentials, plans, the standby's checks, the zones).\n")
	w("drill \"weekly\" {\n")
	w("  schedule = %s\n", quote("0 4 * * 1"))
	w("  service  = %s\n", quote(a.Services[0].Name))
	w("  mode     = %s\n", quote("readiness"))
	w("}\n")
	return hclwrite.Format([]byte(b.String()))
}

// checkHost is the service's first record in zone, as a host name.
func checkHost(s Service, zone string) string {
	zone = strings.TrimSuffix(zone, ".")
	if s.Records[0] == "@" {
		return zone
	}
	return s.Records[0] + "." + zone
}

// Workspace renders the skeleton main.tf of provider p: valid as it is
// (it runs nothing and outputs no address), with what to fill in.
func Workspace(p Provider) []byte {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	h, known := vendorHints[p.Vendor]
	w("# The workspace of provider %q (%s), written by `lifeboat init`.\n", p.Name, p.Vendor)
	w("#\n")
	w("# lifeboat runs OpenTofu here: `apply` with active = true when it moves a\n")
	w("# service here, then reads the output %q for the addresses to\n", AddressOutput)
	w("# publish in DNS. To fill in:\n")
	if known {
		w("#   1. the provider (%s), its credentials from %s,\n", h.source, strings.Join(h.passEnv, ", "))
		w("#      which the provider block's pass_env in lifeboat.hcl passes on;\n")
	} else {
		w("#   1. the provider of %s, its credentials read from the environment and\n", p.Vendor)
		w("#      listed in the provider block's pass_env in lifeboat.hcl;\n")
	}
	w("#   2. the resources that run the service, counted on var.active\n")
	w("#      (count = var.active ? 1 : 0), so a standby costs nothing until needed;\n")
	w("#   3. output %q: their public addresses (a list of strings);\n", AddressOutput)
	w("#   4. a state backend away from %s (a state lost with the vendor\n", p.Vendor)
	w("#      cannot be applied elsewhere).\n")
	w("# Then `lifeboat prepare` initialises it, and `lifeboat audit` reviews it.\n\n")
	w("terraform {\n")
	if known {
		w("  # required_providers {\n")
		w("  #   %s = {\n", path.Base(h.source))
		w("  #     source = %s\n", quote(h.source))
		w("  #   }\n")
		w("  # }\n")
	}
	w("  # backend \"s3\" {}\n")
	w("}\n\n")
	w("variable \"active\" {\n")
	w("  type        = bool\n")
	w("  default     = %t\n", p.Standby == "active")
	w("  description = %s\n", quote("Whether the service runs here; lifeboat applies true where it moves the service."))
	w("}\n\n")
	w("# resource \"...\" \"web\" {\n")
	w("#   count = var.active ? 1 : 0\n")
	w("#   ...\n")
	w("# }\n\n")
	w("output %s {\n", quote(AddressOutput))
	w("  description = %s\n", quote("The public addresses serving the service here; empty when it is not active."))
	w("  value       = [] # such as the servers' IPv4 addresses, e.g. server.web[*].ipv4_address\n")
	w("}\n")
	return hclwrite.Format([]byte(b.String()))
}
