package daemon

import (
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

func TestSameEtcd(t *testing.T) {
	base := config.Etcd{Endpoints: []string{"http://127.0.0.1:2379"}, Prefix: "/lifeboat/", Node: "n1", Lease: 3 * time.Second}
	with := func(f func(e *config.Etcd)) *config.Etcd {
		e := base
		e.Endpoints = append([]string(nil), base.Endpoints...)
		f(&e)
		return &e
	}
	for name, tc := range map[string]struct {
		a, b *config.Etcd
		want bool
	}{
		"both local":        {nil, nil, true},
		"etcd added":        {nil, &base, false},
		"etcd removed":      {&base, nil, false},
		"unchanged":         {&base, with(func(*config.Etcd) {}), true},
		"another endpoint":  {&base, with(func(e *config.Etcd) { e.Endpoints = append(e.Endpoints, "http://127.0.0.2:2379") }), false},
		"another node name": {&base, with(func(e *config.Etcd) { e.Node = "n2" }), false},
		"another lease":     {&base, with(func(e *config.Etcd) { e.Lease = 5 * time.Second }), false},
		"another password":  {&base, with(func(e *config.Etcd) { e.Password = "x" }), false},
		"another CA":        {&base, with(func(e *config.Etcd) { e.CAFile = "/ca.pem" }), false},
	} {
		if got := sameEtcd(tc.a, tc.b); got != tc.want {
			t.Errorf("%s: sameEtcd = %v, want %v", name, got, tc.want)
		}
	}
}
