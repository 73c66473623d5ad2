package certificate

import (
	"crypto/rand"
	"encoding/base32"
	"fmt"
)

// codeBytes of randomness make a 16-character base32 code (80 bits).
const codeBytes = 10

// NewCode returns a fresh verification code: 16 characters of RFC 4648
// base32 (A–Z, 2–7) from crypto/rand, unguessable and easy to read aloud.
func NewCode() (string, error) {
	b := make([]byte, codeBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("certificate code: %w", err)
	}
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b), nil
}

// ValidCodeShape reports whether s (normalized) could be a code, so a
// malformed one is answered without a query.
func ValidCodeShape(s string) bool {
	if len(s) < 10 || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= '2' && r <= '7') {
			return false
		}
	}
	return true
}
