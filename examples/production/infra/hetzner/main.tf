# The primary: one Hetzner Cloud server running the service.
# Credentials: HCLOUD_TOKEN in the environment.
terraform {
  required_providers {
    hcloud = {
      source  = "hetznercloud/hcloud"
      version = "~> 1.48"
    }
  }
  # Keep state away from the hosting vendor it describes: GitLab's managed
  # Terraform state, completed at init by backend_config in lifeboat.hcl.
  backend "http" {}
}

variable "active" {
  type        = bool
  default     = true
  description = "Whether the service runs here."
}

variable "server_type" {
  type    = string
  default = "cx22"
}

variable "image" {
  type    = string
  default = "debian-12"
}

variable "ssh_keys" {
  type    = list(string)
  default = []
}

resource "hcloud_server" "web" {
  count       = var.active ? 1 : 0
  name        = "web-${count.index}"
  server_type = var.server_type
  image       = var.image
  location    = "fsn1"
  ssh_keys    = var.ssh_keys
  user_data   = file("${path.module}/../common/cloud-init.yaml")
}

output "web_ipv4" {
  value = hcloud_server.web[*].ipv4_address
}
