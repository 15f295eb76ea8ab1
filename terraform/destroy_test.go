package terraform

import (
	"slices"
	"testing"
)

func TestStateResources(t *testing.T) {
	for _, tc := range []struct {
		name, raw string
		want      []string
	}{
		{"no state", "", []string{}},
		{"empty", `{"version":4,"resources":[]}`, []string{}},
		{"instances", `{"version":4,"resources":[
			{"module":"module.host","mode":"managed","type":"terraform_data","name":"host","instances":[{"index_key":0},{"index_key":1}]},
			{"mode":"managed","type":"terraform_data","name":"one","instances":[{}]},
			{"mode":"managed","type":"terraform_data","name":"gone","instances":[]},
			{"mode":"managed","type":"terraform_data","name":"byname","instances":[{"index_key":"a"}]},
			{"mode":"data","type":"external","name":"x","instances":[{}]}]}`,
			[]string{`module.host.terraform_data.host[0]`, `module.host.terraform_data.host[1]`,
				`terraform_data.byname["a"]`, `terraform_data.one`}},
	} {
		got, err := stateResources([]byte(tc.raw))
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%s: %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
	if _, err := stateResources([]byte("{not json")); err == nil {
		t.Error("a damaged state document is not an error")
	}
}

// Destroy takes a workspace back to no resources, with its variables from a
// private file (assertNoVarFiles runs at cleanup), and Resources sees both.
func TestTofuDestroyAndResources(t *testing.T) {
	w := openTofu(t, "", Options{})
	ctx := t.Context()
	if got, err := w.Resources(ctx); err != nil || len(got) != 0 {
		t.Fatalf("Resources of a fresh workspace = %q, %v; want none", got, err)
	}
	vars := map[string]string{"active": "true", "hosts": "2"}
	if err := w.Apply(ctx, vars, nil); err != nil {
		t.Fatal(err)
	}
	want := []string{"terraform_data.host[0]", "terraform_data.host[1]"}
	if got, err := w.Resources(ctx); err != nil || !slices.Equal(got, want) {
		t.Fatalf("Resources after apply = %q, %v; want %q", got, err, want)
	}
	var deletes []string
	err := w.Destroy(ctx, vars, func(e Event) {
		if e.Type == "apply_complete" && e.Action == "delete" {
			deletes = append(deletes, e.Resource)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(deletes)
	if !slices.Equal(deletes, want) {
		t.Errorf("destroy progress deleted %q, want %q", deletes, want)
	}
	if got, err := w.Resources(ctx); err != nil || len(got) != 0 {
		t.Fatalf("Resources after destroy = %q, %v; want none", got, err)
	}
}
