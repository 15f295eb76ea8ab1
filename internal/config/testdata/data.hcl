# Every block and attribute of the data tier (data, backup, restore).
provider "alpha" {
  vendor = "hetzner"
  terraform {
    dir = "infra/alpha"
  }
}

provider "bravo" {
  vendor = "ovh"
  terraform {
    dir = "infra/bravo"
  }
}

provider "charlie" {
}

service "www" {
  records        = ["www"]
  candidates     = ["alpha", "bravo"]
  rpo            = "30s"
  backup_max_age = "50h"

  data "db" {
    postgres {
      dsn = {
        alpha = env("ALPHA_DSN")
        bravo = file("bravo.dsn")
      }
    }
    fence {
      command  = ["./fence.sh", "--hard"]
      env      = { MODE = "fence" }
      pass_env = ["PG*"]
    }
    promote {
      terraform_var = "promote"
    }
  }

  data "files" {
    http {
      url = {
        alpha = "https://alpha.example.net/replication"
        bravo = "http://127.0.0.1:8080/replication"
      }
      json_field = "replication.last_write"
      headers    = { Authorization = env("STATUS_TOKEN") }
    }
    fence {
      enabled = false
    }
    promote {
      command = ["./promote.sh"]
    }
  }

  data "queue" {
    http {
      url    = { bravo = "https://bravo.example.net/q" }
      header = "X-Last-Write"
    }
    promote {
      enabled = false
    }
  }

  data "cache" {
    exec {
      command  = ["./fresh.sh"]
      env      = { REGION = "eu" }
      pass_env = ["REDIS_*"]
    }
  }

  data "blobs" {
    exec {
      command   = ["./blobs.sh", "age"]
      providers = ["bravo"]
    }
  }

  backup "offsite" {
    vendor       = "backblaze"
    jurisdiction = "EU"
    prefix       = "www/"
    s3 {
      endpoint   = "https://s3.example.net"
      bucket     = "lifeboat-backups"
      access_key = env("S3_ACCESS_KEY")
      secret_key = file("s3.secret")
    }
  }

  backup "local" {
    vendor    = "self"
    directory = "backups/www"
  }
  check "up" {
    tcp { port = 80 }
  }
}

service "api" {
  records    = ["api"]
  candidates = ["bravo"]

  backup "minio" {
    vendor = "self"
    s3 {
      endpoint   = "http://127.0.0.1:9000/"
      bucket     = "api"
      region     = "eu-central-1"
      access_key = env("S3_ACCESS_KEY")
      secret_key = env("S3_SECRET_KEY")
    }
  }
  check "up" {
    tcp { port = 80 }
  }
}

policy {
  data_interval = "1m"
}

drill "restore-www" {
  service = "www"
  mode    = "restore"
  target  = "bravo"
  restore {
    backup  = "local"
    data    = "db"
    dsn     = env("SCRATCH_DSN")
    command = ["./restore.sh", "--fast"]
    query   = "SELECT 1 FROM users LIMIT 1"
    timeout = "45m"
  }
}

drill "restore-www-defaults" {
  service = "www"
  mode    = "restore"
}

drill "restore-api" {
  service = "api"
  mode    = "restore"
  restore {
    command = ["./restore-api.sh"]
  }
}
