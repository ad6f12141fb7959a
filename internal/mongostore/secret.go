package mongostore

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/csci/exchangeeval/internal/exchange"
)

// secretName is the file in the embedded store's data dir that holds the
// secret when EXCHANGEEVAL_SECRET is not set: made at the first start, mode
// 0600, so that personal links sealed by one start open at the next and
// forms survive a restart. A secret set in the environment keeps the key
// out of the data dir altogether, which a copy of the dir then cannot open.
const secretName = "secret"

// secretBytes is the length of a generated secret (and of
// EXCHANGEEVAL_SECRET).
const secretBytes = 32

// dataDirSecret reads the data dir's secret, making it the first time.
func dataDirSecret(dir string) ([]byte, error) {
	path := filepath.Join(dir, secretName)
	if b, err := readSecretFile(path); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return b, err
	}
	secret := make([]byte, secretBytes)
	if _, err := rand.Read(secret); err != nil {
		return nil, fmt.Errorf("make the secret %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return readSecretFile(path) // another process made it first
	}
	if err != nil {
		return nil, fmt.Errorf("make the secret %s: %w", path, err)
	}
	_, err = f.WriteString(hex.EncodeToString(secret) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
		return nil, fmt.Errorf("make the secret %s: %w", path, err)
	}
	return secret, nil
}

func readSecretFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	secret, err := hex.DecodeString(string(bytes.TrimSpace(b)))
	if err != nil || len(secret) != secretBytes {
		return nil, exchange.Errorf(exchange.EINVALID, "%s must hold %d hexadecimal digits (the store's secret); it was changed or damaged — put back the one from a backup of the data dir", path, 2*secretBytes)
	}
	return secret, nil
}

// secretBeside finds the secret of the embedded store that another
// process runs, reached through its socket: the socket and the secret are
// in the same private directory.
func secretBeside(uri string) ([]byte, bool) {
	hosts := options.Client().ApplyURI(uri).Hosts
	if len(hosts) != 1 || !strings.HasSuffix(hosts[0], ".sock") {
		return nil, false
	}
	b, err := readSecretFile(filepath.Join(filepath.Dir(hosts[0]), secretName))
	if err != nil {
		return nil, false
	}
	return b, true
}

// errNoSecret is what a store given by MONGODB_URI says without a secret.
var errNoSecret = exchange.Errorf(exchange.EINVALID,
	"EXCHANGEEVAL_SECRET is not set: with MONGODB_URI it seals the delegates' personal links in the database, so every exchangeeval process (serve and the commands) needs the same one — 64 hexadecimal digits, e.g. from: openssl rand -hex 32")
