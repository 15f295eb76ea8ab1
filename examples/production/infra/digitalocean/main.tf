# The cold standby: nothing runs until lifeboat applies active = true.
# Credentials: DIGITALOCEAN_TOKEN in the environment.
terraform {
  required_providers {
    digitalocean = {
      source  = "digitalocean/digitalocean"
      version = "~> 2.40"
    }
  }
  backend "http" {} # completed by backend_config in lifeboat.hcl
}

variable "active" {
  type    = bool
  default = false
}

variable "size" {
  type    = string
  default = "s-1vcpu-2gb"
}

variable "ssh_keys" {
  type    = list(string)
  default = []
}

resource "digitalocean_droplet" "web" {
  count     = var.active ? 1 : 0
  name      = "web-${count.index}"
  size      = var.size
  image     = "debian-12-x64"
  region    = "ams3"
  ssh_keys  = var.ssh_keys
  user_data = file("${path.module}/../common/cloud-init.yaml")
}

output "web_ipv4" {
  value = digitalocean_droplet.web[*].ipv4_address
}
