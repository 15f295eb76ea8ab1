# The local example: two "hosting providers" on this machine, one DNS server.
#
#   alpha  - the primary: a Terraform workspace that starts a web host on 127.0.0.11:18080
#   bravo  - the standby: the same on 127.0.0.12:18080, started only when lifeboat fails over
#   local  - BIND on 127.0.0.1:15353 serving example.test, updated over RFC 2136 with TSIG
#
# scripts/demo.sh runs the daemon on it and lets it fail over by itself. Paths are relative to this file.

state {
  path = "run/lifeboat.db"
}

terraform {
  binary          = "../../.tools/bin/tofu"
  cli_config_file = "../../.tools/tofurc"
  timeout         = "2m"
}

dns "local" {
  type   = "rfc2136"
  zone   = "example.test."
  vendor = "self-hosted"
  settings = {
    server   = "127.0.0.1:15353"
    key_name = "lifeboat-demo"
    key_alg  = "hmac-sha256"
    # A demo key for a server on loopback only. Real keys come from env() or
    # a file outside the repository.
    key = file("demo-tsig.secret")
  }
}

provider "alpha" {
  vendor       = "alpha-hosting"
  jurisdiction = "US"
  standby      = "active"
  addresses    = ["127.0.0.11"]
  terraform {
    dir = "infra/alpha"
  }
}

provider "bravo" {
  vendor       = "bravo-cloud"
  jurisdiction = "DE"
  standby      = "cold"
  addresses    = ["127.0.0.12"]
  terraform {
    dir = "infra/bravo"
  }
}

service "www" {
  records        = ["www"]
  ttl            = 60
  candidates     = ["alpha", "bravo"]
  address_output = "addresses"
  adopt          = true
  vars = {
    active = "true"
  }
  check "http" {
    http {
      path          = "/healthz"
      port          = 18080
      expect_status = [200]
    }
  }
}

policy {
  interval      = "2s"
  timeout       = "1s"
  fail_after    = 3
  recover_after = 5
  auto_failover = true # lifeboat run fails over by itself
  cooldown      = "10m"
  wait_healthy  = "30s"
  verify_dns    = "30s"
}

drill "weekly" {
  schedule = "0 4 * * 1"
  service  = "www"
  mode     = "readiness"
}
