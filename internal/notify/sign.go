package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
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

// Verify reports whether signature is Sign(secret, ts, body), in constant
// time. ts is the X-Lifeboat-Timestamp header as received.
func Verify(secret, signature, ts string, body []byte) bool {
	t, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	return hmac.Equal([]byte(signature), []byte(Sign(secret, t, body)))
}
