package config_test

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// FuzzParse feeds arbitrary files to Parse: it must never panic, every
// error must be an *Error with positioned diagnostics, and a secret from
// the environment must never show up in a message unless the input
// spells it out itself.
//
//	go test ./internal/config -run '^$' -fuzz FuzzParse -fuzztime 30s
func FuzzParse(f *testing.F) {
	full, err := os.ReadFile("testdata/full.hcl")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(full)
	data, err := os.ReadFile("testdata/data.hcl")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	for _, tc := range invalidCases {
		f.Add([]byte(tc.src))
	}
	f.Add([]byte(`drill "d" { schedule = "CRON_TZ=Europe/Paris 0 4 * * *" }`))
	f.Add([]byte("service \"s\" {\n  records = [for r in [\"a\", \"b\"] : upper(r)]\n  vars = { a = null }\n  check \"up\" {\n    tcp { port = 80 }\n  }\n}\n"))
	// Past the nesting limit (TestNestingLimit has the 200 KB inputs
	// that overflow the parser's stack; seeds stay small to keep the
	// fuzzer fast).
	f.Add([]byte("a = " + strings.Repeat("(", 100)))
	f.Add([]byte("a = " + strings.Repeat("!", 100) + "true"))
	f.Add([]byte("a = \"" + strings.Repeat("${\"", 70)))
	f.Add([]byte("a = <<EOT\n" + strings.Repeat("%{if true}", 70) + "\nEOT\n"))

	opts := testOptions()
	f.Fuzz(func(t *testing.T, src []byte) {
		cfg, err := config.Parse("testdata/fuzz.hcl", src, opts)
		if err == nil {
			if cfg == nil {
				t.Fatal("nil config without error")
			}
			return
		}
		var ce *config.Error
		if !errors.As(err, &ce) {
			t.Fatalf("error is %T, not *config.Error: %v", err, err)
		}
		if len(ce.Diags) == 0 {
			t.Fatal("*config.Error without diagnostics")
		}
		for _, d := range ce.Diags {
			if d.Line < 1 || d.Column < 1 || d.Message == "" {
				t.Fatalf("malformed diagnostic %#v", d)
			}
		}
		msg := err.Error()
		for _, name := range []string{"LIFEBOAT_SECRET", "CF_API_TOKEN"} {
			secret := testEnv[name]
			if strings.Contains(msg, secret) && !bytes.Contains(src, []byte(secret)) {
				t.Fatalf("secret of %s leaked:\n%s", name, msg)
			}
		}
	})
}
