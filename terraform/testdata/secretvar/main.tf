# A workspace that reports what its command was given: a hash of the
# secret variable, the list variable's length, whether any file under the
# scanned directories held the secret while the apply ran, and (with dump)
# its whole environment.

variable "token" {
  type      = string
  sensitive = true
}

variable "zones" {
  type = list(string)
}

variable "out" {
  type = string
}

variable "scan" {
  type    = list(string)
  default = []
}

variable "dump" {
  type    = string
  default = ""
}

resource "terraform_data" "probe" {
  triggers_replace = [timestamp()]

  provisioner "local-exec" {
    command = <<-EOT
      printf '%s' "$TOKEN" | sha256sum | cut -d' ' -f1 > "$OUT.hash"
      echo ${length(var.zones)} > "$OUT.zones"
      if [ -n "$SCAN" ] && grep -rqF -- "$TOKEN" $SCAN 2>/dev/null; then echo found > "$OUT.scan"; else echo clean > "$OUT.scan"; fi
      if [ -n "$DUMP" ]; then env > "$DUMP"; fi
    EOT
    environment = {
      TOKEN = var.token
      OUT   = var.out
      SCAN  = join(" ", var.scan)
      DUMP  = var.dump
    }
  }
}
