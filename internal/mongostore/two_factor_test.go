package mongostore

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/csci/exchangeeval/internal/staff"
)

// TestACodeIsTakenOnce: twenty requests taking the same time step, or the
// same recovery code, at once: one takes it. A later step is taken after;
// an earlier one is not. The key is sealed in the store and opens when
// the account is read.
func TestACodeIsTakenOnce(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	u, err := staff.NewUser("a@example.org", "A", []string{staff.RoleEvaluator}, "a long password", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	codes, hashes := staff.NewRecoveryCodes()
	if err := s.EnableTOTP(ctx, u.Email, "JBSWY3DPEHPK3PXP", hashes, 100, time.Now()); err != nil {
		t.Fatal(err)
	}
	at := func(take func() (bool, error)) int {
		var wg sync.WaitGroup
		var mu sync.Mutex
		taken := 0
		for range 20 {
			wg.Go(func() {
				ok, err := take()
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					taken++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		return taken
	}
	if n := at(func() (bool, error) { return s.UseTOTPStep(ctx, u.Email, 101) }); n != 1 {
		t.Errorf("step 101 taken %d times", n)
	}
	if n := at(func() (bool, error) { return s.UseRecoveryCode(ctx, u.Email, staff.HashRecoveryCode(codes[0])) }); n != 1 {
		t.Errorf("a recovery code taken %d times", n)
	}
	if ok, _ := s.UseTOTPStep(ctx, u.Email, 100); ok {
		t.Error("an earlier step taken after a later one")
	}
	if ok, _ := s.UseTOTPStep(ctx, u.Email, 102); !ok {
		t.Error("a later step refused")
	}
	got, err := s.User(ctx, u.Email)
	if err != nil || got.TOTP.Secret != "JBSWY3DPEHPK3PXP" || len(got.TOTP.Recovery) != staff.RecoveryCodes-1 {
		t.Errorf("the account read back: %v %+v", err, got.TOTP)
	}
	raw, err := s.db.Collection(collUsers).FindOne(ctx, byID(u.Email)).Raw()
	if err != nil {
		t.Fatal(err)
	}
	if string(raw.Lookup("totp", "sealed").Value) == "" || containsBytes(raw, "JBSWY3DPEHPK3PXP") {
		t.Error("the key is stored unsealed")
	}
}

func containsBytes(raw []byte, s string) bool {
	for i := 0; i+len(s) <= len(raw); i++ {
		if string(raw[i:i+len(s)]) == s {
			return true
		}
	}
	return false
}
