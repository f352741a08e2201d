package snowflake

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/youmark/pkcs8"

	"github.com/datatui/datatui/internal/dbt/profiles"
)

// errBothKeys is dbt-snowflake's own refusal, word for word, so the two tools agree.
//
//lint:ignore ST1005 dbt's wording, capital included
var errBothKeys = errors.New("Cannot specify both `private_key` and `private_key_path`")

// loadPrivateKey reads the RSA key of key-pair authentication the way dbt-snowflake does:
// private_key_path is a PEM file; an inline private_key is PEM text when it starts with
// "-", else base64 of the DER bytes. Both set is an error, as in dbt. Decoding is left to
// libraries: github.com/youmark/pkcs8 for PKCS#8, encrypted or not (PBES2 with PBKDF2 or
// scrypt, as openssl writes them), and the standard library for PKCS#1, including the
// legacy "Proc-Type: 4,ENCRYPTED" PEM that `openssl rsa -aes256 -traditional` writes.
func loadPrivateKey(t *profiles.Target, home string) (*rsa.PrivateKey, error) {
	pass := t.PrivateKeyPassphrase.Reveal()
	switch {
	case t.PrivateKey.Set() && t.PrivateKeyPath != "":
		return nil, errBothKeys
	case t.PrivateKey.Set():
		s := strings.TrimSpace(t.PrivateKey.Reveal())
		if strings.HasPrefix(s, "-") {
			return parsePEMKey([]byte(s), pass)
		}
		der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
		if err != nil {
			return nil, errors.New("private_key: neither PEM text (-----BEGIN …) nor base64 of the key's DER bytes")
		}
		return parseDERKey(der, pass)
	case t.PrivateKeyPath != "":
		p := t.PrivateKeyPath
		if strings.HasPrefix(p, "~/") {
			if home == "" {
				home, _ = os.UserHomeDir()
			}
			p = filepath.Join(home, p[2:])
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("private_key_path: %w", err)
		}
		return parsePEMKey(b, pass)
	}
	return nil, errors.New("authenticator snowflake_jwt needs private_key_path: (a PEM file with your RSA key) or private_key")
}

// parsePEMKey reads a PEM RSA key: PKCS#8 (encrypted or not) or PKCS#1 (legacy-encrypted or not).
func parsePEMKey(data []byte, passphrase string) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("private key: not a PEM file (expected -----BEGIN PRIVATE KEY-----)")
	}
	switch block.Type {
	case "RSA PRIVATE KEY":
		der := block.Bytes
		//lint:ignore SA1019 legacy encrypted PEM is what older openssl writes and dbt accepts; the standard library's reader is the maintained one
		if x509.IsEncryptedPEMBlock(block) {
			if passphrase == "" {
				return nil, errNeedPassphrase
			}
			var err error
			//lint:ignore SA1019 see above: reading (never writing) the legacy format
			if der, err = x509.DecryptPEMBlock(block, []byte(passphrase)); err != nil {
				return nil, errWrongPassphrase
			}
		}
		k, err := x509.ParsePKCS1PrivateKey(der)
		if err != nil {
			if block.Headers["Proc-Type"] != "" {
				return nil, errWrongPassphrase // a wrong passphrase can still unpad cleanly
			}
			return nil, fmt.Errorf("private key: %v", err)
		}
		return k, nil
	case "ENCRYPTED PRIVATE KEY":
		if passphrase == "" {
			return nil, errNeedPassphrase
		}
		return parseDERKey(block.Bytes, passphrase)
	default:
		return parseDERKey(block.Bytes, passphrase)
	}
}

var (
	errNeedPassphrase  = errors.New("private key is encrypted: set private_key_passphrase (from an env_var)")
	errWrongPassphrase = errors.New("private key: wrong private_key_passphrase (the key did not decrypt)")
)

// parseDERKey reads PKCS#8 DER (or PKCS#1 DER), decrypting PKCS#8 with the passphrase when
// one is given. A passphrase for a key that is not encrypted is an error, as in dbt.
func parseDERKey(der []byte, passphrase string) (*rsa.PrivateKey, error) {
	key, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		if k, err1 := x509.ParsePKCS1PrivateKey(der); err1 == nil {
			key, err = k, nil
		}
	}
	switch {
	case err == nil && passphrase != "":
		return nil, errors.New("private key: private_key_passphrase is set but the key is not encrypted")
	case err != nil && passphrase == "":
		return nil, fmt.Errorf("private key: %v (if the key is encrypted, set private_key_passphrase)", err)
	case err != nil:
		if key, err = pkcs8.ParsePKCS8PrivateKey(der, []byte(passphrase)); err != nil {
			if strings.Contains(err.Error(), "incorrect password") {
				return nil, errWrongPassphrase
			}
			return nil, fmt.Errorf("private key: %v (re-export it with openssl pkcs8 -topk8 -v2 aes256)", err)
		}
	}
	rk, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("private key: Snowflake key-pair login needs an RSA key, not %T", key)
	}
	return rk, nil
}
