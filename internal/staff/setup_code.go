package staff

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"strings"
)

// setupAlphabet leaves out what reads alike on a terminal (0 O, 1 I L).
const setupAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// NewReadableCode returns a random code a person copies by eye — the
// one-time code a first start prints, with which the first admin account
// is created in the browser; the password an admin's reset gives — 16
// characters (80 bits) in four groups, XXXX-XXXX-XXXX-XXXX.
func NewReadableCode() string {
	var b strings.Builder
	for i := range 16 {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(setupAlphabet))))
		if err != nil {
			panic(fmt.Sprintf("crypto/rand: %v", err))
		}
		b.WriteByte(setupAlphabet[n.Int64()])
	}
	return b.String()
}

// AnyAdmin reports whether any of the accounts is an admin's (enabled or
// not): while none is, a first start offers to create one.
func AnyAdmin(users []*User) bool {
	for _, u := range users {
		if u.Has(RoleAdmin) {
			return true
		}
	}
	return false
}
