package staff_test

import (
	"encoding/base32"
	"strings"
	"testing"
	"time"

	"github.com/csci/exchangeeval/internal/staff"
)

// TestTOTPMatchesRFC6238: the codes are RFC 6238's own test vectors
// (Appendix B, HMAC-SHA1, the 20-byte key "12345678901234567890", eight
// digits), and a six-digit code is accepted in its step and the steps
// either side only, each time with the step it belongs to.
func TestTOTPMatchesRFC6238(t *testing.T) {
	secret := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString([]byte("12345678901234567890"))
	for _, v := range []struct {
		unix int64
		code string
	}{{59, "94287082"}, {1111111109, "07081804"}, {1111111111, "14050471"}, {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"}} {
		got, err := staff.TOTPCode(secret, time.Unix(v.unix, 0), 8)
		if err != nil || got != v.code {
			t.Errorf("T=%d: %q %v, RFC 6238 says %s", v.unix, got, err, v.code)
		}
	}
	at := time.Unix(1111111111, 0)
	code, _ := staff.TOTPCode(secret, at, 6)
	for _, tc := range []struct {
		off  time.Duration
		ok   bool
		step int64
	}{{0, true, 1111111111 / 30}, {30 * time.Second, true, 1111111111 / 30}, {-30 * time.Second, true, 1111111111 / 30}, {61 * time.Second, false, 0}, {-60 * time.Second, false, 0}} {
		step, ok := staff.TOTPStep(secret, code, at.Add(tc.off))
		if ok != tc.ok || step != tc.step {
			t.Errorf("code of %v checked at %v later: step %d %v", at, tc.off, step, ok)
		}
	}
	if _, ok := staff.TOTPStep(secret, code[:3]+" "+code[3:], at); !ok {
		t.Error("a code typed with a space is refused")
	}
	for _, bad := range []string{"", "12345", "1234567", "abcdef"} {
		if _, ok := staff.TOTPStep(secret, bad, at); ok {
			t.Errorf("%q accepted", bad)
		}
	}
	codes, hashes := staff.NewRecoveryCodes()
	if len(codes) != staff.RecoveryCodes || len(hashes) != staff.RecoveryCodes {
		t.Fatalf("%d codes", len(codes))
	}
	if staff.HashRecoveryCode(strings.ToLower(strings.ReplaceAll(codes[0], "-", " "))) != hashes[0] {
		t.Error("a recovery code typed in lower case with spaces is another code")
	}
}
