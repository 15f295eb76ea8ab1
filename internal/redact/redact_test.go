package redact

import (
	"errors"
	"io/fs"
	"testing"
)

// New hides whole values of MinLen bytes or more, longest first, and
// their quoted forms; Strict hides short ones too; the nil Redactor hides
// nothing.
func TestRedactorString(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    *Redactor
		in   string
		want string
	}{
		{"whole value", New("abcd1234"), "key=abcd1234; retry", "key=<hidden>; retry"},
		{"longest first", New("abcd1234", "abcd1234efgh"), "abcd1234efgh and abcd1234", "<hidden> and <hidden>"},
		{"inside a word", New("abcd1234"), "xabcd1234x", "x<hidden>x"},
		{"too short for New", New("abc"), "abc def", "abc def"},
		{"short for Strict", Strict("abc"), "abc def", "<hidden> def"},
		{"empty ignored", Strict(""), "abc", "abc"},
		{"JSON-escaped", New(`pa"ss<word>`), `{"v":"pa\"ss\u003cword\u003e"}`, `{"v":"<hidden>"}`},
		{"Go-quoted", New("pa\nssword"), `"pa\nssword"`, `"<hidden>"`},
		{"parts only with Secrets", New("127.0.0.1:5300"), "lookup 127.0.0.1", "lookup 127.0.0.1"},
		{"nil", nil, "abcd1234", "abcd1234"},
	} {
		if got := tc.r.String(tc.in); got != tc.want {
			t.Errorf("%s: String(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}

// Error hides the secret from the text and keeps the chain for errors.Is.
func TestRedactorError(t *testing.T) {
	err := Strict("s3cret").Error(errors.Join(fs.ErrPermission, errors.New("token s3cret refused")))
	if got := err.Error(); got != "permission denied\ntoken <hidden> refused" {
		t.Errorf("text %q", got)
	}
	if !errors.Is(err, fs.ErrPermission) {
		t.Error("the redacted error no longer unwraps to its cause")
	}
	plain := errors.New("nothing secret")
	if Strict("s3cret").Error(plain) != plain || Strict("x").Error(nil) != nil {
		t.Error("an error without a secret, or nil, is not returned as it is")
	}
}
