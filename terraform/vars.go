package terraform

// Variables reach the CLI as TF_VAR_<name> in its environment, for the one
// command that needs them: never on the command line (process listings)
// and never in a file (a process killed mid-command would leave its
// secrets on disk). The value is passed as written, so it is read as -var
// reads it: a string, number or bool variable takes it literally, a list,
// map or object variable parses it as an expression (JSON or HCL:
// `["a", "b"]`, `{team = "ops"}`).
//
// terraform-exec refuses TF_VAR_* in SetEnv, but keeps the map it was
// given and copies it when each command starts: the names are added to
// that map under the workspace lock, for the command only.

const varEnvPrefix = "TF_VAR_"

// setVars adds vars to the environment of the next commands; the returned
// function takes them out again. Call it under the workspace lock.
func (w *Workspace) setVars(vars map[string]string) func() {
	for k, v := range vars {
		w.env[varEnvPrefix+k] = v
	}
	return func() {
		for k := range vars {
			delete(w.env, varEnvPrefix+k)
		}
	}
}
