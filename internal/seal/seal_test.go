package seal

import (
	"bytes"
	"errors"
	"testing"
)

func secret(b byte) []byte { return bytes.Repeat([]byte{b}, MinSecret) }

func TestSealOpens(t *testing.T) {
	s, err := New(secret(1))
	if err != nil {
		t.Fatal(err)
	}
	plain := []byte("https://survey.example.org/s/0123456789abcdefghijklmnopqrstuvwxyzABCDEFG")
	a, b := s.Seal(plain), s.Seal(plain)
	if bytes.Equal(a, b) {
		t.Error("two seals of the same text are equal: the nonce is not random")
	}
	if bytes.Contains(a, plain[20:40]) {
		t.Error("the seal contains the plain text")
	}
	for _, sealed := range [][]byte{a, b} {
		got, err := s.Open(sealed)
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("Open = %q, %v; want the plain text", got, err)
		}
	}
}

func TestAnotherKeyOrAChangeIsRefused(t *testing.T) {
	s, _ := New(secret(1))
	other, _ := New(secret(2))
	if s.Mark() == other.Mark() {
		t.Error("two keys have the same mark")
	}
	again, _ := New(secret(1))
	if s.Mark() != again.Mark() {
		t.Error("the same secret gives two marks")
	}
	sealed := s.Seal([]byte("token"))
	if _, err := other.Open(sealed); !errors.Is(err, ErrOpen) {
		t.Errorf("another key opened the seal: %v", err)
	}
	changed := bytes.Clone(sealed)
	changed[len(changed)-1] ^= 1
	if _, err := s.Open(changed); !errors.Is(err, ErrOpen) {
		t.Errorf("a changed seal opened: %v", err)
	}
	for _, short := range [][]byte{nil, sealed[:5], sealed[:12]} {
		if _, err := s.Open(short); !errors.Is(err, ErrOpen) {
			t.Errorf("Open(%d bytes) = %v", len(short), err)
		}
	}
	if _, err := New([]byte("short")); err == nil {
		t.Error("a 5-byte secret was taken")
	}
}
