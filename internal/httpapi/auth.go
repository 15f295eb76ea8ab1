package httpapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
)

// access is what a request's credentials allow.
type access int

const (
	accessNone access = iota
	accessRead
	accessOperate
)

// tokens holds the configured tokens' digests: comparing digests of equal
// length in constant time leaks neither a token's bytes nor its length.
type tokens struct {
	read, operate [sha256.Size]byte
	hasRead       bool
	hasOperate    bool
}

func newTokens(read, operate string) tokens {
	t := tokens{hasRead: read != "", hasOperate: operate != ""}
	if t.hasRead {
		t.read = sha256.Sum256([]byte(read))
	}
	if t.hasOperate {
		t.operate = sha256.Sum256([]byte(operate))
	}
	return t
}

// credential is the token a request carries: "Authorization: Bearer T",
// or HTTP Basic with T as the password (what a browser can send to the
// status page), and whether it carried one at all.
func credential(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if tok, ok := bearer(r); ok {
		return tok, true
	}
	if _, pass, ok := r.BasicAuth(); ok {
		return pass, true
	}
	return "", h != ""
}

// check says what the request may do, and whether it presented a token
// that matches none (as opposed to no token at all).
func (t tokens) check(r *http.Request) (a access, presented bool) {
	tok, presented := credential(r)
	if !presented {
		if !t.hasRead {
			return accessRead, false // reading is open when no read token is set
		}
		return accessNone, false
	}
	sum := sha256.Sum256([]byte(tok))
	operate := t.hasOperate && subtle.ConstantTimeCompare(sum[:], t.operate[:]) == 1
	read := t.hasRead && subtle.ConstantTimeCompare(sum[:], t.read[:]) == 1
	switch {
	case operate:
		return accessOperate, true
	case read:
		return accessRead, true
	}
	// A wrong token is refused even where no token is needed to read: a
	// client that believes it operates must hear it does not.
	return accessNone, true
}
