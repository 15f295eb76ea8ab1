package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/lifeboat-dev/lifeboat/internal/engine"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
)

func newDoctorCmd(g *globals) *cobra.Command {
	var sendTest bool
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check, reading only, everything an emergency will need",
		Long: `doctor checks what a failover would use, before it is needed: each dns block's
credentials read its zone and its nameservers answer; each registrar's credentials
read the delegation; each provider's workspace initialises and plans with each of its
services' variables; each check runs once; with state.etcd, etcd answers and this
machine's clock is within 1s of each member's; each data block is measured and each
backup listed; with --send-test, each notify block receives a test event. It writes
nothing to DNS, registrars or workspaces' state.

Exit status: 0 when every check passes, 1 when any fails, 2 for a bad configuration
or flag.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := openSession(g)
			if err != nil {
				return err
			}
			defer s.close()
			rep := s.eng.Doctor(cmd.Context(), engine.DoctorOptions{SendTest: sendTest})
			rep.Config = g.configPath
			if g.json() {
				enc := json.NewEncoder(g.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(rep); err != nil {
					return err
				}
			} else if err := wire.WriteDoctor(g.stdout, rep); err != nil {
				return err
			}
			if !rep.OK {
				return silentError{fmt.Errorf("%d check(s) failed", rep.Failures)}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&sendTest, "send-test", false, "send a test event to every notify block and report each answer")
	return cmd
}
