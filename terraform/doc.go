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
// Variables reach the CLI as TF_VAR_* in the environment of the one
// command that needs them (see vars.go), never as -var arguments (process
// listings) nor in a file (a process killed mid-command would leave it
// on disk); errors and progress events replace their values with
// "<hidden>". Variable files an older lifeboat left in Options.VarDir
// are swept when a workspace opens. A variable the module does not declare
// is ignored. TF_VAR_* variables in lifeboat's own environment are not
// passed on: put them in the configuration.
//
// Backend settings (Options.BackendConfig, backend_config) complete the
// backend block at init: those that are not secret as -backend-config
// arguments, the secret ones in TF_CLI_ARGS_init for that one command
// (see backendconfig.go), redacted from errors like variables. The CLI
// itself keeps them all in .terraform/terraform.tfstate, made 0600.
//
// Environment: only config.BaseEnv, config.TerraformBaseEnv and
// Options.PassEnv from lifeboat's own environment (see buildEnv);
// CHECKPOINT_DISABLE=1 and TF_IN_AUTOMATION=1 always;
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
