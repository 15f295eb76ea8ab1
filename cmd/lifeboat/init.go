package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lifeboat-dev/lifeboat/internal/engine"
)

// initFlags are init's answers given as flags.
type initFlags struct {
	nonInteractive bool
	force          bool
	providers      []string
	dns            []string
	dnsSettings    []string
	services       []string
	records        string
	candidates     string
	checkPath      string
}

func newInitCmd(g *globals) *cobra.Command {
	var f initFlags
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write a first configuration and a workspace skeleton per provider",
		Long: `init writes a commented configuration at the -c path (default ./lifeboat.hcl) and
a Terraform workspace skeleton per hosting provider beside it (infra/NAME/main.tf).
On a terminal it asks a few questions; with --non-interactive (or any of --provider,
--dns, --service) it takes the answers from the flags. Secrets are never written:
each is read with env("..."), and init prints the variables to set.

  lifeboat init --non-interactive \
    --provider hetzner --provider digitalocean:digitalocean:cold \
    --dns cloudflare:cloudflare:example.com \
    --service www --records www,@ --check-path /healthz`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runInit(cmd, g, f)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.nonInteractive, "non-interactive", false, "ask nothing: take the answers from the flags")
	fl.BoolVar(&f.force, "force", false, "overwrite an existing configuration file (workspace files are never overwritten)")
	fl.StringArrayVar(&f.providers, "provider", nil, "a hosting provider, NAME[:VENDOR[:STANDBY]], the primary first (repeatable; vendor defaults to NAME, standby to active for the first and cold for the others)")
	fl.StringArrayVar(&f.dns, "dns", nil, "a DNS provider, NAME:TYPE:ZONE[:VENDOR] (repeatable; TYPE one of "+strings.Join(engine.DNSTypes(), ", ")+")")
	fl.StringArrayVar(&f.dnsSettings, "dns-setting", nil, "a DNS provider's setting that is not a secret, NAME.KEY=VALUE (rfc2136 server, key_name, key_alg; powerdns server_url; ovh endpoint)")
	fl.StringArrayVar(&f.services, "service", nil, "a service, NAME[:RECORDS[:CANDIDATES[:CHECK_PATH]]], lists comma-separated (repeatable; default www)")
	fl.StringVar(&f.records, "records", "", "records of the services that name none, comma-separated (default: the service's name)")
	fl.StringVar(&f.candidates, "candidates", "", "candidates of the services that name none, comma-separated, in order (default: every provider, in order)")
	fl.StringVar(&f.checkPath, "check-path", "", `the health check path of the services that name none (default "/")`)
	return cmd
}

func runInit(cmd *cobra.Command, g *globals, f initFlags) error {
	path := g.configPath
	// Refused before any question, so nobody answers them for nothing.
	if err := engine.InitCheckTarget(path, f.force); err != nil {
		return initError(err)
	}
	fl := cmd.Flags()
	flagged := fl.Changed("provider") || fl.Changed("dns") || fl.Changed("service")
	var (
		answers engine.InitAnswers
		err     error
	)
	if f.nonInteractive || flagged {
		answers, err = engine.InitFlags(f.providers, f.dns, f.dnsSettings, f.services, f.records, f.candidates, f.checkPath)
	} else {
		in, ok := g.stdin.(*os.File)
		if !ok || !isTerminal(in) {
			return usageError{errors.New("standard input is not a terminal: give the answers as flags with --non-interactive (see lifeboat init --help)")}
		}
		for _, name := range []string{"dns-setting", "records", "candidates", "check-path"} {
			if fl.Changed(name) {
				return usageError{fmt.Errorf("--%s needs --non-interactive (or --provider, --dns, --service)", name)}
			}
		}
		prompt := g.stdout
		if g.json() {
			prompt = g.stderr // stdout carries only the JSON document
		}
		answers, err = engine.InitAsk(cmd.Context(), in, prompt)
	}
	if err != nil {
		return initError(err)
	}
	res, err := engine.InitWrite(path, answers, f.force)
	if err != nil {
		return initError(err)
	}
	next := nextSteps(path)
	if g.json() {
		env := make([]string, len(res.Secrets))
		for i, s := range res.Secrets {
			env[i] = s.Env
		}
		enc := json.NewEncoder(g.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"config": path, "written": res.Written, "kept": res.Kept, "env": env, "next": next})
	}
	printInit(g.stdout, res, next)
	return nil
}

// initError makes a bad answer or an existing file a usage error (exit 2).
func initError(err error) error {
	if errors.Is(err, engine.ErrInitInvalid) || errors.Is(err, engine.ErrInitExists) || errors.Is(err, engine.ErrInitClosed) {
		return usageError{err}
	}
	return err
}

// nextSteps are the commands to run after init, with -c when the file is
// not the default one.
func nextSteps(path string) []string {
	c := ""
	if path != "lifeboat.hcl" {
		c = " -c " + path
	}
	return []string{"lifeboat" + c + " validate", "lifeboat" + c + " audit", "lifeboat" + c + " prepare"}
}

func printInit(w io.Writer, res engine.InitResult, next []string) {
	fmt.Fprintf(w, "\nwrote %s\n", res.Config)
	for _, p := range res.Written {
		fmt.Fprintf(w, "wrote %s\n", p)
	}
	for _, p := range res.Kept {
		fmt.Fprintf(w, "kept %s (it exists: left as it is)\n", p)
	}
	fmt.Fprintln(w, "\nNext:")
	n := 1
	step := func(format string, args ...any) {
		fmt.Fprintf(w, "  %d. "+format+"\n", append([]any{n}, args...)...)
		n++
	}
	step("fill in each workspace: the comment at the top of its main.tf says what it needs")
	if len(res.Secrets) > 0 {
		var env []string
		for _, s := range res.Secrets {
			env = append(env, s.Env)
		}
		step("set the secrets the configuration reads: %s", strings.Join(env, ", "))
	}
	step("%s  (checks the configuration)", next[0])
	step("%s  (where one vendor's decision could still take the service down)", next[1])
	step("%s  (initialises every workspace, so a failover starts applying at once)", next[2])
}
