package daemon

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/engine"
)

// reload validates the configuration again and swaps it in once no
// operation runs. An invalid configuration, or one that moves the
// journal, is refused and the running one kept.
func (d *Daemon) reload(ctx context.Context) error {
	if d.opts.Load == nil {
		return errors.New("reload: the daemon was started without a configuration file to read again")
	}
	cfg, err := d.opts.Load()
	if err != nil {
		d.log.Error("configuration not reloaded: the running one is kept", "err", err)
		return fmt.Errorf("configuration not reloaded, the running one is kept: %w", err)
	}
	old, oldW := d.current()
	if field, detail := restartOnly(old.Cfg, cfg); field != "" {
		err := fmt.Errorf("configuration not reloaded, the running one is kept: %s changed (%s); restart the daemon to change it", field, detail)
		d.log.Error(err.Error(), "field", field)
		d.record(ctx, decision{Action: "reload_refused", Summary: err.Error()})
		return err
	}
	_, release, err := d.slot.acquire(ctx, "reloading the configuration", false)
	if err != nil {
		return err
	}
	defer release()
	d.stopDrills()
	eng := engine.New(cfg, d.log)
	// The new engine opens the same journal; the old one lets go of it
	// first, and delivers its queued notifications in the background.
	if err := old.CloseJournal(); err != nil {
		d.log.Warn("closing the old engine's journal", "err", err)
	}
	defer func() {
		if d.eng != old {
			// Delivered and closed by the daemon's owner of retired
			// engines: Run waits for it.
			d.retired.Go(func() { _ = old.Close() })
		}
	}()
	if _, err := eng.Journal(); err != nil {
		// Without a journal nothing can run: go back to the old
		// configuration, whose journal opened before.
		d.log.Error("the reloaded configuration cannot open the journal; keeping the old one", "err", err)
		if _, oerr := old.Journal(); oerr != nil {
			return fmt.Errorf("reload failed and the journal cannot be reopened: %w", errors.Join(err, oerr))
		}
		d.startDrills()
		return fmt.Errorf("configuration not reloaded, the running one is kept: %w", err)
	}
	groups, err := d.groups(ctx, eng)
	if err != nil {
		_ = eng.Close()
		if _, oerr := old.Journal(); oerr != nil {
			return fmt.Errorf("reload failed and the journal cannot be reopened: %w", errors.Join(err, oerr))
		}
		d.startDrills()
		return fmt.Errorf("configuration not reloaded, the running one is kept: %w", err)
	}
	w := oldW
	if oldW.compatible(cfg) {
		oldW.setGroups(groups)
		oldW.setReferences(cfg)
	} else {
		// Other providers or thresholds: the state machines start afresh.
		oldW.stop()
		w = newWatch(cfg, groups, d.kick, d.schedOpts())
		w.start(d.ctx)
		d.log.Warn("providers or health thresholds changed: provider states start again from unknown")
	}
	// The per-configuration parts stop before the swap and start again
	// with the new configuration (its intervals, its tokens).
	d.parts.stop()
	d.mu.Lock()
	d.eng, d.w = eng, w
	d.mu.Unlock()
	d.dns.forget()
	d.data.forget()
	if d.httpH != nil {
		d.httpH.set(d.httpHandler(d.ctx))
	}
	d.parts = d.startParts(d.serveCtx, cfg)
	d.startDrills()
	d.forget.Store(true)
	d.log.Info("configuration reloaded", "file", cfg.Filename, "providers", len(cfg.Providers), "services", len(cfg.Services))
	return nil
}

// sameEtcd reports whether two state.etcd blocks join the nodes the same
// way; the membership is not rebuilt by a reload.
func sameEtcd(a, b *config.Etcd) bool {
	if a == nil || b == nil {
		return a == b
	}
	return slices.Equal(a.Endpoints, b.Endpoints) && a.Prefix == b.Prefix && a.Node == b.Node && a.Lease == b.Lease &&
		a.Username == b.Username && a.Password == b.Password && a.CAFile == b.CAFile && a.CertFile == b.CertFile && a.KeyFile == b.KeyFile
}
