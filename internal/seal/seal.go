// Package seal encrypts the secrets exchangeeval must be able to read again
// — a delegate's personal link, a queued message that carries one — so that
// whoever reads the database's files (a copied data dir, a backup, another
// local user) finds no working link in them.
//
// Seals are AES-256-GCM with a random nonce, keyed by a key derived (HKDF,
// SHA-256) from EXCHANGEEVAL_SECRET, so the secret itself is never the key
// of two purposes (it also keys the forms' CSRF tokens).
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// Sealer seals and opens with one key. It is safe for concurrent use.
type Sealer struct {
	aead cipher.AEAD
	mark string
}

// purpose binds the derived key to what it seals: another use of the same
// secret derives another key.
const purpose = "exchangeeval personal links v1"

// MinSecret is the shortest secret accepted, in bytes.
const MinSecret = 32

// New derives the sealing key from secret (at least MinSecret bytes).
func New(secret []byte) (*Sealer, error) {
	if len(secret) < MinSecret {
		return nil, fmt.Errorf("seal: the secret has %d bytes, at least %d are needed", len(secret), MinSecret)
	}
	key, err := hkdf.Key(sha256.New, secret, nil, purpose, 32)
	if err != nil {
		return nil, fmt.Errorf("seal: derive the key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("which key"))
	return &Sealer{aead: aead, mark: hex.EncodeToString(m.Sum(nil))[:16]}, nil
}

// Mark names the key without revealing it: stored beside what is sealed,
// it tells a start with another secret from one with the right secret
// before any seal is opened.
func (s *Sealer) Mark() string { return s.mark }

// Seal returns plain encrypted and authenticated: nonce then ciphertext.
func (s *Sealer) Seal(plain []byte) []byte {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		// crypto/rand never fails on supported platforms; a repeated
		// nonce would reveal what is sealed.
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return s.aead.Seal(nonce, nonce, plain, nil)
}

// ErrOpen is returned for a seal made with another key, or changed.
var ErrOpen = errors.New("the seal cannot be opened with this key")

// Open returns what Seal sealed.
func (s *Sealer) Open(sealed []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n+s.aead.Overhead() {
		return nil, ErrOpen
	}
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], nil)
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}
