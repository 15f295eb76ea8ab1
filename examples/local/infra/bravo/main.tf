# Host "bravo" of the local example: 127.0.0.12, serving the text "bravo".
# It is the standby: inactive until lifeboat (or you) applies active=true.
#
#   tofu init && tofu apply -var active=true

variable "active" {
  type        = bool
  default     = false
  description = "Whether the host runs; false stops it."
}

variable "host_bin" {
  type        = string
  default     = ""
  description = "Path of lifeboat-host; empty means <repo>/bin/lifeboat-host (make build)."
}

variable "listen_ip" {
  type    = string
  default = "127.0.0.12"
}

variable "port" {
  type    = number
  default = 18080
}

variable "run_dir" {
  type        = string
  default     = ""
  description = "Directory for the pidfile and log; empty means examples/local/run."
}

module "host" {
  source = "../modules/host"

  name      = "bravo"
  active    = var.active
  host_bin  = var.host_bin != "" ? var.host_bin : abspath("${path.module}/../../../../bin/lifeboat-host")
  listen_ip = var.listen_ip
  port      = var.port
  run_dir   = var.run_dir != "" ? var.run_dir : abspath("${path.module}/../../run")
}

output "addresses" {
  description = "IP addresses serving bravo; empty when it is not active."
  value       = module.host.addresses
}

output "url" {
  value = module.host.url
}
