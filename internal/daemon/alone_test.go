package daemon

import "testing"

// One node's view is enough to declare a provider lost exactly when
// node_quorum is 1, or 0 with one live node; the note names who is gone.
func TestAloneNote(t *testing.T) {
	for _, tc := range []struct {
		name       string
		quorum     int
		live, seen []string
		want       string
	}{
		{"three live, majority", 0, []string{"n1", "n2", "n3"}, []string{"n1", "n2", "n3"}, ""},
		{"two live, majority", 0, []string{"n1", "n2"}, []string{"n1", "n2", "n3"}, ""},
		{"one live of three, majority", 0, []string{"n2"}, []string{"n1", "n2", "n3"},
			"node_quorum 0 (a majority of the 1 live node(s)): this node acts on its own view; 2 of 3 nodes are gone (n1, n3)"},
		{"one node ever", 0, []string{"n1"}, []string{"n1"}, "node_quorum 0 (a majority of the 1 live node(s)): this node acts on its own view"},
		{"node_quorum 1 with three live", 1, []string{"n1", "n2", "n3"}, []string{"n1", "n2", "n3"}, "node_quorum 1: this node acts on its own view"},
		{"node_quorum 2 alone", 2, []string{"n1"}, []string{"n1", "n2"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := aloneNote(tc.quorum, tc.live, tc.seen); got != tc.want {
				t.Errorf("aloneNote = %q, want %q", got, tc.want)
			}
		})
	}
}
