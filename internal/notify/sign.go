package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Headers of a signed webhook delivery.
const (
	// HeaderSignature carries "sha256=" and the hex HMAC-SHA256, keyed
	// with the webhook's secret, of the timestamp, a dot and the body.
	HeaderSignature = "X-Lifeboat-Signature"
	// HeaderTimestamp is the unix time of the attempt, in seconds. It is
	// signed with the body so that a receiver can refuse old replays.
	HeaderTimestamp = "X-Lifeboat-Timestamp"
	// HeaderDelivery identifies one event: retries of it carry the same
	// value, so a receiver can drop duplicates.
	HeaderDelivery = "X-Lifeboat-Delivery"
)

// Sign returns the X-Lifeboat-Signature value for body sent at the unix
// time ts: "sha256=" + hex(HMAC-SHA256(secret, ts + "." + body)).
func Sign(secret string, ts int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(ts, 10)))
	mac.Write([]byte("."))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// DefaultVerifyWindow is how far a timestamp may be from the receiver's
// clock when Verify is given no window: wide enough for clock skew and a
// slow retry, narrow enough that a captured delivery soon stops working.
const DefaultVerifyWindow = 5 * time.Minute

// Sentinel errors of Verify.
var (
	// ErrBadSignature: the signature is missing, malformed or not the
	// secret's for this timestamp and body.
	ErrBadSignature = errors.New("the signature does not match")
	// ErrStaleTimestamp: the delivery is authentic but its timestamp is
	// outside the window, older (a replay) or in the future.
	ErrStaleTimestamp = errors.New("the timestamp is outside the accepted window")
)

// Verify checks a delivery: signature must be Sign(secret, ts, body)
// (compared in constant time), and ts, the X-Lifeboat-Timestamp header as
// received, within window of the receiver's clock either way (window <= 0
// means DefaultVerifyWindow). A receiver that also drops repeated
// X-Lifeboat-Delivery values within the window refuses every replay.
func Verify(secret, signature, ts string, body []byte, window time.Duration) error {
	return verifyAt(time.Now(), secret, signature, ts, body, window)
}

func verifyAt(now time.Time, secret, signature, ts string, body []byte, window time.Duration) error {
	t, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: the timestamp %q is not a unix time", ErrBadSignature, ts)
	}
	if !hmac.Equal([]byte(signature), []byte(Sign(secret, t, body))) {
		return ErrBadSignature
	}
	if window <= 0 {
		window = DefaultVerifyWindow
	}
	if d := now.Sub(time.Unix(t, 0)); d > window || d < -window {
		return fmt.Errorf("%w: signed at %s, %s from now (window %s)", ErrStaleTimestamp,
			time.Unix(t, 0).UTC().Format(time.RFC3339), d.Round(time.Second), window)
	}
	return nil
}
