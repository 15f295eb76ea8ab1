package drill

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// scratchConninfo rewrites a libpq connection string (a postgres:// URL
// or key=value pairs) to name database db and to hold no password: it is
// what pg_restore gets on its command line, which `ps` shows to every
// user. The password travels in PGPASSWORD instead.
func scratchConninfo(dsn, db string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			// url's error quotes the URL: not wrapped.
			return "", errors.New("the restore DSN is not a valid URL")
		}
		if u.User != nil {
			u.User = url.User(u.User.Username())
		}
		q := u.Query()
		q.Del("password")
		q.Del("dbname")
		u.RawQuery = q.Encode()
		u.Path, u.RawPath = "/"+db, ""
		return u.String(), nil
	}
	pairs, err := parseKeyValues(dsn)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, kv := range pairs {
		if kv[0] == "password" || kv[0] == "dbname" {
			continue
		}
		b.WriteString(kv[0] + "=" + quoteValue(kv[1]) + " ")
	}
	b.WriteString("dbname=" + quoteValue(db))
	return b.String(), nil
}

// parseKeyValues reads libpq's key=value form: spaces around '=' allowed,
// a value single-quoted or bare, backslash escaping the next character.
// Errors never quote the string (it may hold a password).
func parseKeyValues(s string) ([][2]string, error) {
	var out [][2]string
	i := 0
	skip := func() {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
			i++
		}
	}
	for range len(s) + 1 { // each round consumes at least one byte
		skip()
		if i >= len(s) {
			return out, nil
		}
		start := i
		for i < len(s) && s[i] != '=' && s[i] != ' ' && s[i] != '\t' {
			i++
		}
		key := s[start:i]
		skip()
		if key == "" || i >= len(s) || s[i] != '=' {
			return nil, fmt.Errorf("the restore DSN is neither a postgres:// URL nor key=value pairs (near byte %d)", start)
		}
		i++
		skip()
		var v strings.Builder
		if i < len(s) && s[i] == '\'' {
			i++
			closed := false
			for i < len(s) {
				c := s[i]
				i++
				if c == '\\' && i < len(s) {
					v.WriteByte(s[i])
					i++
					continue
				}
				if c == '\'' {
					closed = true
					break
				}
				v.WriteByte(c)
			}
			if !closed {
				return nil, errors.New("the restore DSN has an unterminated quoted value")
			}
		} else {
			for i < len(s) && s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r' {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				v.WriteByte(s[i])
				i++
			}
		}
		out = append(out, [2]string{key, v.String()})
	}
	return out, nil
}

// quoteValue quotes a key=value value for libpq.
func quoteValue(v string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}
