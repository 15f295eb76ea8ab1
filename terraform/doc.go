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
// appear in process listings; errors and progress events replace them with
// "(redacted)". The file (mode 0600) lives in Options.VarDir, a mode 0700
// directory next to the journal, and is removed when the command returns,
// whether it succeeded, failed or was cancelled. Its name carries the
// writer's pid, so SweepVarFiles removes the file a killed process left. A variable the module does not declare is then a warning,
// not an error. TF_VAR_* variables in lifeboat's own environment are not
// passed on (terraform-exec refuses them): put them in the configuration.
//
// Environment: CHECKPOINT_DISABLE=1 and TF_IN_AUTOMATION=1 always;
// TF_CLI_CONFIG_FILE and TF_PLUGIN_CACHE_DIR from Options when set.
//
// The selected Terraform workspace is a property of the directory, so two
// Workspace values with different names on one directory each select their
// own before every command (two extra commands when they alternate).
//
// terraform-exec gates some options on Terraform >= 1.13 and compares
// OpenTofu's version as if it were Terraform's; this package uses none of
// them, so tofu 1.10 and later work.
package terraform
