package staff

import (
	"bytes"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"image/png"
	"slices"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// Two-factor sign-in: a time-based one-time password (RFC 6238: HMAC-SHA1,
// 30-second steps, six digits — what every authenticator app reads from a
// QR code), and recovery codes for the day the phone is lost.

// TOTP is an account's second factor. The store seals Secret and
// PendingSecret (with EXCHANGEEVAL_SECRET, as it seals personal links):
// a copy of the database alone makes no codes.
type TOTP struct {
	Enabled bool      `bson:"enabled"`
	Since   time.Time `bson:"since,omitempty"`
	// Secret is the base32 key the authenticator app holds.
	Secret string `bson:"-"`
	Sealed []byte `bson:"sealed,omitempty"`
	// PendingSecret is a key shown to enrol and not yet confirmed by a
	// code from it.
	PendingSecret string `bson:"-"`
	PendingSealed []byte `bson:"pending_sealed,omitempty"`
	// LastStep is the time step of the last code accepted: a code is
	// accepted once, never again, even within its 90 seconds.
	LastStep int64 `bson:"last_step"`
	// Recovery holds the SHA-256 hashes of the recovery codes not yet used.
	Recovery []string `bson:"recovery,omitempty"`
}

// RecoveryCodes is how many recovery codes an enrolment gives.
const RecoveryCodes = 10

// totpPeriod and totpSkew: a code is accepted in its 30-second step and
// the steps either side, for a phone's clock a little off.
const (
	totpPeriod = 30
	totpSkew   = 1
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// TOTPKeyImage gives account's key — secret, base32, or a new one when
// "" — and draws it as the QR code an authenticator app reads (a PNG data
// URI of its otpauth:// URL).
func TOTPKeyImage(account, secret string) (key, qr string, err error) {
	opts := totp.GenerateOpts{Issuer: "exchangeeval", AccountName: account, Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	if secret != "" {
		if opts.Secret, err = base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret); err != nil {
			return "", "", fmt.Errorf("read a two-factor key: %w", err)
		}
	}
	k, err := totp.Generate(opts)
	if err != nil {
		return "", "", fmt.Errorf("make a two-factor key: %w", err)
	}
	img, err := k.Image(240, 240)
	if err != nil {
		return "", "", fmt.Errorf("draw the two-factor QR code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", "", fmt.Errorf("draw the two-factor QR code: %w", err)
	}
	return k.Secret(), "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

// TOTPStep finds the time step of code for secret at now, within the
// skew: 0 and false when the code is not one of them. Only digits count;
// spaces an app shows ("123 456") are ignored.
func TOTPStep(secret, code string, now time.Time) (int64, bool) {
	code = strings.Join(strings.Fields(code), "")
	if len(code) != otp.DigitsSix.Length() {
		return 0, false
	}
	step := now.Unix() / totpPeriod
	found := int64(0)
	for off := int64(-totpSkew); off <= totpSkew; off++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix((step+off)*totpPeriod, 0), totpOpts)
		// Every step is compared, in constant time: how long the check
		// takes tells nothing of which step matched.
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			found = step + off
		}
	}
	return found, found != 0
}

// TOTPCode is the code for secret at t, with digits digits (6 for the
// service; RFC 6238's test vectors use 8).
func TOTPCode(secret string, t time.Time, digits int) (string, error) {
	return totp.GenerateCodeCustom(secret, t, totp.ValidateOpts{Period: totpPeriod, Digits: otp.Digits(digits), Algorithm: otp.AlgorithmSHA1})
}

// NewRecoveryCodes returns RecoveryCodes fresh codes to show once, and
// their hashes to store.
func NewRecoveryCodes() (codes, hashes []string) {
	for range RecoveryCodes {
		c := NewReadableCode()
		codes = append(codes, c)
		hashes = append(hashes, HashRecoveryCode(c))
	}
	return codes, hashes
}

// HashRecoveryCode hashes a recovery code as typed: case, spaces and
// dashes do not matter.
func HashRecoveryCode(code string) string {
	c := strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(code)))
	return HashSecret(c)
}

// SecondFactorRequired reports whether u's roles are among those an admin
// requires a second factor of.
func SecondFactorRequired(u *User, roles []string) bool {
	return slices.ContainsFunc(u.Roles, func(r string) bool { return slices.Contains(roles, r) })
}
