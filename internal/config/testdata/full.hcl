# The configuration sketch of the design, adapted: every block kind.
state {
  path = "var/lifeboat.db"
}

terraform {
  binary          = "tofu"
  cli_config_file = "tf/cli.tfrc"
  timeout         = "15m"
}

dns "primary" {
  type = "rfc2136"
  zone = "example.com."
  settings = {
    server   = "127.0.0.1:5300"
    key_name = "lifeboat"
    key_alg  = "hmac-sha256"
    key      = file("tsig.key")
  }
}

dns "secondary" {
  type         = "cloudflare"
  zone         = "example.com"
  vendor       = "cloudflare"
  jurisdiction = "US"
  settings     = { api_token = env("CF_API_TOKEN") }
}

provider "aws" {
  vendor       = "amazon"
  jurisdiction = "US"
  terraform {
    dir = "infra/aws"
  }
  check "api" {
    provider_api {
      url   = "https://ec2.us-east-1.amazonaws.com/?Action=DescribeAccountAttributes"
      token = env("AWS_PROBE_TOKEN")
    }
  }
}

provider "hetzner" {
  vendor       = "hetzner"
  jurisdiction = "DE"
  standby      = "warm"
  addresses    = ["127.0.0.2"]
  terraform {
    dir       = "infra/hetzner"
    workspace = "standby"
    vars      = { size = "cx22", count = 2 }
  }
  check "ssh" {
    interval = "10s"
    tcp {
      port   = 22
      expect = "^SSH-"
    }
  }
}

provider "ovh" {
  standby = "cold"
  terraform {
    dir = "infra/ovh"
  }
}

service "www" {
  records        = ["@", "www"]
  ttl            = 300
  candidates     = ["aws", "hetzner", "ovh"]
  address_output = "web_ipv4"
  check "http" {
    http {
      path          = "/healthz"
      expect_status = [200]
      body_regex    = "ok"
      host          = "www.example.com"
    }
  }
  check "tls" {
    timeout = "2s"
    http {
      url                 = "https://www.example.com/"
      cert_expiry_warning = "720h"
      follow_redirects    = false
      max_redirects       = 0
      expect_headers      = { "Content-Type" = "^text/html" }
    }
  }
  check "resolves" {
    dns {
      server = "127.0.0.1:5300"
      name   = "www.example.com"
      type   = "aaaa"
    }
  }
  check "script" {
    exec {
      command = ["./check.sh", "--quick"]
      env     = { MODE = "fast" }
    }
  }
}

service "api" {
  records    = ["api"]
  candidates = ["hetzner"]
  dns        = ["primary"]
  check "up" {
    tcp { port = 80 }
  }
}

policy {
  interval      = "5s"
  fail_after    = 3
  recover_after = 5
  auto_failover = true
  cooldown      = "30m"
  quorum        = 1
}

drill "weekly" {
  schedule = "0 4 * * 1"
  service  = "www"
  mode     = "canary"
}

drill "manual" {
  service = "api"
  target  = "hetzner"
}

notify "ops" {
  events = ["failover", "drill"]
  webhook {
    url     = env("LIFEBOAT_WEBHOOK")
    headers = { "X-Team" = "ops" }
  }
}
