package config_test

import (
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

func init() {
	invalidCases = append(invalidCases,
		invalidCase{"reference http without url", "policy {\n  reference \"world\" {\n    http {\n      path = \"/\"\n    }\n  }\n}\n", 2, 3,
			`policy reference "world": http needs url`},
		invalidCase{"reference tcp without address", "policy {\n  reference \"world\" {\n    tcp {\n      port = 443\n    }\n  }\n}\n", 2, 3,
			`policy reference "world": tcp needs address`},
		invalidCase{"reference provider_api", "policy {\n  reference \"world\" {\n    provider_api {\n      url = \"https://api.example.net/\"\n    }\n  }\n}\n", 2, 3,
			`policy reference "world": provider_api is not a reference check`},
		invalidCase{"reference twice", "policy {\n  reference \"w\" {\n    tcp {\n      address = \"192.0.2.1:53\"\n    }\n  }\n  reference \"w\" {\n    tcp {\n      address = \"192.0.2.2:53\"\n    }\n  }\n}\n", 7, 13,
			`reference "w": duplicate name, the first is at line 2`},
	)
}

// policy's reference blocks take a check block's shape and defaults.
func TestPolicyReference(t *testing.T) {
	src := `policy {
  timeout = "2s"
  reference "resolver" {
    dns {
      server = "192.0.2.53:53"
      name   = "example.net"
    }
  }
  reference "landmark" {
    http {
      url = "https://landmark.example.net/"
    }
  }
}
`
	cfg, err := config.Parse("testdata/case.hcl", []byte(src), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	refs := cfg.Policy.Reference
	if len(refs) != 2 || refs[0].Name != "resolver" || refs[0].DNS == nil || refs[1].HTTP == nil {
		t.Fatalf("references: %+v", refs)
	}
	if refs[1].HTTP.Method != "GET" || refs[1].Kind() != "http" {
		t.Fatalf("reference http not defaulted like a check: %+v", refs[1].HTTP)
	}
}
