# A host at a pretend hosting provider: a lifeboat-host process on a loopback
# address, started and stopped by local-exec provisioners of a builtin
# terraform_data resource, so the example needs no provider at all.

variable "name" {
  type        = string
  description = "Host name; also the body it serves, so tests can tell hosts apart."
}

variable "active" {
  type        = bool
  description = "Whether the host runs. Setting it to false stops a running host."
}

variable "host_bin" {
  type        = string
  description = "Path of the lifeboat-host executable."
}

variable "listen_ip" {
  type = string
}

variable "port" {
  type = number
}

variable "run_dir" {
  type        = string
  description = "Directory for the pidfile and the log."
}

resource "terraform_data" "host" {
  count = var.active ? 1 : 0

  # Destroy-time provisioners may refer only to self, so everything they need
  # travels in input.
  input = {
    host_bin = var.host_bin
    listen   = "${var.listen_ip}:${var.port}"
    body     = var.name
    pidfile  = "${var.run_dir}/${var.name}.pid"
    logfile  = "${var.run_dir}/${var.name}.log"
  }

  # A changed address or binary means a new process, not an in-place update.
  triggers_replace = [var.host_bin, var.listen_ip, var.port, var.name, var.run_dir]

  # tofu waits until every holder of the provisioner's output pipe has closed
  # it, so the host is started detached with its own files; the host writes
  # its pidfile only once listening, and the loop waits (at most 10 s) for it.
  provisioner "local-exec" {
    command = <<-EOT
      set -eu
      mkdir -p "$(dirname "$PIDFILE")"
      rm -f "$PIDFILE"
      setsid nohup "$HOST_BIN" -listen "$LISTEN" -body "$BODY" -pidfile "$PIDFILE" -log "$LOGFILE" >>"$LOGFILE" 2>&1 </dev/null &
      i=0
      while [ ! -s "$PIDFILE" ]; do
        i=$((i + 1))
        if [ "$i" -gt 100 ]; then
          echo "host $BODY did not start within 10s; see $LOGFILE" >&2
          tail -n 20 "$LOGFILE" >&2 || true
          exit 1
        fi
        sleep 0.1
      done
    EOT
    environment = {
      HOST_BIN = self.input.host_bin
      LISTEN   = self.input.listen
      BODY     = self.input.body
      PIDFILE  = self.input.pidfile
      LOGFILE  = self.input.logfile
    }
  }

  # SIGTERM, then wait (at most 10 s) for the host to remove its pidfile;
  # SIGKILL if it is still there.
  provisioner "local-exec" {
    when    = destroy
    command = <<-EOT
      [ -f "$PIDFILE" ] || exit 0
      pid=$(cat "$PIDFILE")
      kill -TERM "$pid" 2>/dev/null || { rm -f "$PIDFILE"; exit 0; }
      i=0
      while [ -f "$PIDFILE" ] && [ "$i" -lt 100 ]; do
        i=$((i + 1))
        sleep 0.1
      done
      if [ -f "$PIDFILE" ]; then
        kill -KILL "$pid" 2>/dev/null || true
        rm -f "$PIDFILE"
      fi
    EOT
    environment = {
      PIDFILE = self.input.pidfile
    }
  }
}

output "addresses" {
  description = "IP addresses that serve this host: empty when it is not active."
  value       = var.active ? [var.listen_ip] : []
}

output "url" {
  description = "URL of the host, or null when it is not active."
  value       = var.active ? "http://${var.listen_ip}:${var.port}/" : null
}
