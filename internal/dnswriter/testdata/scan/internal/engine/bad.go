package engine

import "context"

type target struct{ Provider provider }

type provider interface {
	SetRecords(context.Context, string, []any) ([]any, error)
}

func write(ctx context.Context, p provider, t target) {
	p.SetRecords(ctx, "example.test.", nil)
	del := p.DeleteRecords
	t.Provider.AppendRecords(ctx, "example.test.", nil)
	_ = del
	p.GetRecords(ctx, "example.test.") // reading is fine
}
