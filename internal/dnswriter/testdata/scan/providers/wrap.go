package providers

import "context"

type wrapped struct{ p DNS }

// Forwarding: the wrapper's own SetRecords calls the wrapped one's.
func (w *wrapped) SetRecords(ctx context.Context, zone string, recs []any) ([]any, error) {
	return call(ctx, func(ctx context.Context) ([]any, error) {
		return w.p.SetRecords(ctx, zone, recs)
	})
}

func (w *wrapped) DeleteRecords(ctx context.Context, zone string, recs []any) ([]any, error) {
	return w.p.DeleteRecords(ctx, zone, recs)
}

// Not forwarding: a write of the providers package's own.

func (w *wrapped) cleanup(ctx context.Context) {
	w.p.DeleteRecords(ctx, "example.test.", nil)
}
