package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/lifeboat-dev/lifeboat/internal/control"
	"github.com/lifeboat-dev/lifeboat/internal/engine"
)

func newSyncCmd(g *globals) *cobra.Command {
	var zone string
	var yes, adopt bool
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Make every DNS provider of a zone hold the records of its first one",
		Long: `sync reads each zone at its source of truth (the zone's first dns block) and at every
other dns block of the zone, and shows per provider what it would create, change and
delete. With --yes it writes that; with a daemon running, the daemon (the leader)
writes it, between its operations, and journals it as its own sync.

The ownership rules are the cutover's: a record the sync writes is marked as its own
(a _lifeboat TXT with owner lifeboat/sync); a record that differs and that the sync did
not write is changed only with --adopt; a record only the other provider has is
deleted only when the sync wrote it, and otherwise left alone and listed. SOA and the
apex NS records are each provider's own and never compared.

Exit status: 0 when every provider holds (or now holds) the source's records, 1 when a
provider could not be read or written, or a plan was shown without --yes and is not empty.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := openSession(g)
			if err != nil {
				return err
			}
			defer s.close()
			doc, werr, err := syncHere(cmd.Context(), g, s, zone, yes, adopt)
			if errors.Is(err, engine.ErrInvalidRequest) {
				return usageError{err}
			}
			if err != nil {
				return err
			}
			pending := 0
			for _, t := range doc.Targets {
				if t.Error != "" || !t.Plan.Empty() {
					pending++
				}
			}
			if g.json() {
				if err := writeJSON(g.stdout, doc); err != nil {
					return err
				}
			} else if err := writeSync(g, doc, yes); err != nil {
				return err
			}
			switch {
			case werr != nil:
				return werr
			case !yes && pending > 0:
				return silentError{fmt.Errorf("%d provider(s) differ from the source", pending)}
			}
			for _, t := range doc.Targets {
				if t.Error != "" {
					return fmt.Errorf("dns %s: %s", t.Provider, t.Error)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&zone, "zone", "", "only this zone (default: every zone with more than one dns block)")
	cmd.Flags().BoolVar(&yes, "yes", false, "write the plan")
	cmd.Flags().BoolVar(&adopt, "adopt", false, "also change records that differ and that the sync did not write")
	return cmd
}

// syncHere plans the sync and, with yes, writes it: in the daemon when one
// runs, so the write takes its operation slot (never beside a failover, a
// drill or its own sync) on the leader; else here. err is a plan that
// could not be made, werr a write that failed (doc then says where).
func syncHere(ctx context.Context, g *globals, s *session, zone string, yes, adopt bool) (doc engine.SyncDoc, werr, err error) {
	if yes {
		c, err := findDaemon(ctx, s.eng.Cfg)
		if err != nil {
			return doc, nil, err
		}
		if c != nil {
			fmt.Fprintln(g.stderr, "lifeboat: a daemon is running; the sync runs in it")
			doc, err := c.Sync(ctx, control.SyncRequest{Zone: zone, Adopt: adopt})
			if err != nil && len(doc.Targets) == 0 {
				return doc, nil, err // nothing planned: refused, or the source unread
			}
			return doc, err, nil
		}
	}
	doc, err = s.eng.SyncPlan(ctx, zone, engine.SyncOptions{Adopt: adopt})
	if err != nil {
		return doc, nil, err
	}
	if yes {
		werr = s.eng.Sync(ctx, &doc) // writes only the targets that differ
	}
	return doc, werr, nil
}

func writeSync(g *globals, doc engine.SyncDoc, yes bool) error {
	if len(doc.Targets) == 0 {
		fmt.Fprintln(g.stdout, "No zone has more than one dns block: nothing to keep in sync.")
		return nil
	}
	for _, t := range doc.Targets {
		fmt.Fprintf(g.stdout, "Zone %s from %s:\n", t.Zone, t.Source)
		if t.Error != "" && !t.Applied && t.Plan.Empty() {
			fmt.Fprintf(g.stdout, "%s: cannot be read: %s\n", t.Provider, t.Error)
			continue
		}
		if err := t.Plan.WriteText(g.stdout, t.Provider); err != nil {
			return err
		}
		switch {
		case t.Error != "":
			fmt.Fprintf(g.stdout, "  NOT written: %s\n", t.Error)
		case t.Applied:
			fmt.Fprintln(g.stdout, "  Written.")
		case !t.Plan.Empty() && !yes:
			fmt.Fprintln(g.stdout, "  Nothing written: run with --yes to write it.")
		}
	}
	return nil
}
