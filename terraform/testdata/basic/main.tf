# A workspace that needs no provider: terraform_data stands in for hosts.

variable "active" {
  type    = bool
  default = false
}

variable "hosts" {
  type    = number
  default = 1
}

variable "size" {
  type    = string
  default = "small"
}

# tag forces the hosts to be replaced when it changes.
variable "tag" {
  type    = string
  default = ""
}

# log, when set, is a file the hosts' provisioner appends to (start, pause, end).
variable "log" {
  type    = string
  default = ""
}

variable "pause" {
  type    = number
  default = 0
}

# fail makes the apply fail in a provisioner that prints token.
variable "fail" {
  type    = bool
  default = false
}

variable "token" {
  type    = string
  default = ""
}

resource "terraform_data" "host" {
  count            = var.active ? var.hosts : 0
  input            = "127.0.0.${10 + count.index}"
  triggers_replace = [var.size, var.tag]

  provisioner "local-exec" {
    command = var.log == "" ? "exec sleep ${var.pause}" : "echo start ${var.tag} >> ${var.log}; sleep ${var.pause}; echo end ${var.tag} >> ${var.log}"
  }
}

resource "terraform_data" "fail" {
  count = var.fail ? 1 : 0

  provisioner "local-exec" {
    command = "echo token=${var.token}; exit 3"
  }
}

output "addresses" {
  value = terraform_data.host[*].output
}

output "primary" {
  value = length(terraform_data.host) > 0 ? terraform_data.host[0].output : null
}

output "size" {
  value = var.size
}
