package engine

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// NATSTokenFile is where, in the data folder, a serve keeps the token its
// embedded NATS server requires when it listens (--nats-listen).
const NATSTokenFile = "nats-token"

// natsToken returns the token the embedded NATS server requires: the one
// given, else the one stored in the data folder, generated there on
// first use (private to the folder's owner).
func natsToken(data, given string) (string, error) {
	if given != "" {
		return given, nil
	}
	stored, err := StoredNATSToken(data)
	if err != nil || stored != "" {
		return stored, err
	}
	token := rand.Text() // 26 characters of base32: 130 bits, safe in a URL
	path := filepath.Join(data, NATSTokenFile)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("nats token %s: %w", path, err)
	}
	_, err = f.WriteString(token + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return "", fmt.Errorf("nats token %s: %w", path, err)
	}
	return token, nil
}

// StoredNATSToken returns the NATS token a serve stored in the data
// folder, or "" when there is none. Workers on the same machine read it
// from there.
func StoredNATSToken(data string) (string, error) {
	path := filepath.Join(data, NATSTokenFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("nats token %s: %w", path, err)
	}
	token := strings.TrimSpace(string(b))
	if token == "" {
		return "", fmt.Errorf("nats token %s: the file is empty; delete it and a new token is made", path)
	}
	return token, nil
}
