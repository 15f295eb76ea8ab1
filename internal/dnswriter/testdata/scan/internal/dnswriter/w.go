package dnswriter

func (w *Writer) do(ctx context.Context) {
	w.Provider.SetRecords(ctx, w.Zone, nil)
	w.Provider.DeleteRecords(ctx, w.Zone, nil)
}
