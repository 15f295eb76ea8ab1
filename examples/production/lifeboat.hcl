# A production layout: the service runs at Hetzner (primary) with a cold
# standby at DigitalOcean; DNS is served by two independent vendors at once
# (Cloudflare and deSEC, both holding the zone as primaries), so neither
# hosting vendor nor one DNS vendor can take the name away.
#
# Secrets come from the environment:
#   CLOUDFLARE_API_TOKEN, DESEC_TOKEN    - DNS
#   HCLOUD_TOKEN, DIGITALOCEAN_TOKEN     - read by the Terraform providers themselves
#   HCLOUD_PROBE_TOKEN                   - a read-only Hetzner token for the account check
#   GITLAB_STATE_TOKEN                   - a GitLab access token (api scope) for the Terraform state
#   LIFEBOAT_WEBHOOK                     - where notifications go

state {
  # Keep the journal on the machine that runs lifeboat, not at either host:
  # that machine is at OVH in France (the audit checks it is neither host).
  path         = "/var/lib/lifeboat/lifeboat.db"
  vendor       = "ovh"
  jurisdiction = "FR"
}

terraform {
  binary = "tofu"
}

dns "cloudflare" {
  type         = "cloudflare"
  zone         = "example.org."
  vendor       = "cloudflare"
  jurisdiction = "US"
  settings = {
    api_token = env("CLOUDFLARE_API_TOKEN")
  }
  nameservers = ["ada.ns.cloudflare.com:53", "bob.ns.cloudflare.com:53"]
  # What the parent zone delegates to for this vendor.
  ns_names = ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"]
}

dns "desec" {
  type         = "desec"
  zone         = "example.org."
  vendor       = "desec"
  jurisdiction = "DE"
  settings = {
    token = env("DESEC_TOKEN")
  }
  nameservers = ["ns1.desec.io:53", "ns2.desec.org:53"]
  ns_names    = ["ns1.desec.io", "ns2.desec.org"]
}

# Who can move the zone's delegation off a lost DNS provider: the domain is
# registered at a third company, neither the host nor a DNS vendor.
registrar "porkbun" {
  type = "porkbun"
  zone = "example.org."
  settings = {
    api_key        = env("PORKBUN_API_KEY")
    secret_api_key = env("PORKBUN_SECRET_API_KEY")
  }
}

provider "hetzner" {
  vendor       = "hetzner"
  jurisdiction = "DE"
  standby      = "active"
  terraform {
    dir = "infra/hetzner"
    # The workspace's `backend "http" {}` is completed at init: its state
    # is kept by GitLab's managed Terraform state, at neither host.
    state_vendor = "gitlab"
    backend_config = {
      address        = "https://gitlab.com/api/v4/projects/12345678/terraform/state/hetzner"
      lock_address   = "https://gitlab.com/api/v4/projects/12345678/terraform/state/hetzner/lock"
      unlock_address = "https://gitlab.com/api/v4/projects/12345678/terraform/state/hetzner/lock"
      lock_method    = "POST"
      unlock_method  = "DELETE"
      retry_wait_min = "5"
      username       = "lifeboat"
      # Secret (it reads env()): never on a command line, in a log or output.
      password = env("GITLAB_STATE_TOKEN")
    }
    # The CLI inherits nothing else of lifeboat's environment: the
    # provider's token is named here.
    pass_env = ["HCLOUD_TOKEN"]
  }
  # Hetzner answers 401/403 for a token whose project was locked: that is
  # account_lost, seen before the servers go dark.
  check "account" {
    provider_api {
      url   = "https://api.hetzner.cloud/v1/servers?per_page=1"
      token = env("HCLOUD_PROBE_TOKEN")
    }
  }
}

provider "digitalocean" {
  vendor       = "digitalocean"
  jurisdiction = "US"
  standby      = "cold"
  terraform {
    dir          = "infra/digitalocean"
    state_vendor = "gitlab"
    backend_config = {
      address        = "https://gitlab.com/api/v4/projects/12345678/terraform/state/digitalocean"
      lock_address   = "https://gitlab.com/api/v4/projects/12345678/terraform/state/digitalocean/lock"
      unlock_address = "https://gitlab.com/api/v4/projects/12345678/terraform/state/digitalocean/lock"
      lock_method    = "POST"
      unlock_method  = "DELETE"
      retry_wait_min = "5"
      username       = "lifeboat"
      password       = env("GITLAB_STATE_TOKEN")
    }
    pass_env = ["DIGITALOCEAN_TOKEN"]
  }
}

service "www" {
  records        = ["@", "www"]
  ttl            = 60
  rto            = "10m"
  candidates     = ["hetzner", "digitalocean"]
  address_output = "web_ipv4"
  vars = {
    active = "true"
  }
  check "https" {
    http {
      path          = "/healthz"
      scheme        = "https"
      host          = "www.example.org"
      expect_status = [200]
      max_latency   = "2s"
    }
  }
}

policy {
  interval      = "10s"
  fail_after    = 6
  recover_after = 10
  auto_failover = false
  cooldown      = "1h"
  # With auto_failover on: at most two automatic failovers a day, then a person decides.
  max_auto_failovers   = 2
  auto_failover_window = "24h"
  # Keep desec holding cloudflare's records; lower the TTL to 30s while a
  # provider is at risk; leave re-delegation to a person.
  sync_interval   = "15m"
  emergency_ttl   = "30s"
  recovery_window = "30m"
  auto_redelegate = false
}

# lifeboat run serves its status page, API and metrics here (loopback; put a
# TLS-terminating proxy in front, or set tls_cert/tls_key, to reach it from elsewhere).
server {
  listen        = "127.0.0.1:9797"
  read_token    = env("LIFEBOAT_READ_TOKEN")
  operate_token = env("LIFEBOAT_OPERATE_TOKEN")
}

drill "weekly-readiness" {
  schedule = "0 4 * * 1"
  service  = "www"
  mode     = "readiness"
}

drill "monthly-canary" {
  schedule = "0 5 1 * *"
  service  = "www"
  mode     = "canary"
}

notify "ops" {
  webhook {
    url    = env("LIFEBOAT_WEBHOOK")
    secret = env("LIFEBOAT_WEBHOOK_SECRET") # signs each body (X-Lifeboat-Signature)
  }
}

notify "chat" {
  events = ["failover", "failback", "decision"]
  slack {
    url = env("LIFEBOAT_SLACK_WEBHOOK")
  }
}
