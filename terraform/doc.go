// Package terraform runs a provider's Terraform or OpenTofu workspace through
// terraform-exec: prepare it ahead of time, plan to a file, apply with a
// service's variables, and read the outputs that hold host addresses.
//
// One Workspace wraps one working directory and one *tfexec.Terraform.
// Terraform is not safe to run twice at once in one directory (the selected
// workspace, the .terraform directory and a local state file are shared), so
// every command holds a per-Workspace mutex and an flock on a file inside the
// data directory, which also keeps two lifeboat processes apart.
//
// Cancellation: terraform-exec stops a command by sending it SIGINT when the
// context ends and kills it only after a grace period (Options.KillAfter,
// 60 s by default, as in terraform-exec), so Terraform can release its state
// lock and record what it created. A command therefore may return up to that
// long after its deadline; budgets for shutdown and failover steps must allow
// for it.
//
// Variables are written to a private JSON variable file for each command
// instead of -var arguments, so their values, which may be secrets, do not
// appear in process listings; errors replace them with "(redacted)".
package terraform
