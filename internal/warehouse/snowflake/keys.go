package snowflake

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/pbkdf2"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"strings"

	"github.com/datatui/datatui/internal/dbt"
)

// loadPrivateKey reads the RSA key of key-pair authentication from private_key_path (or an
// inline private_key), decrypting it with private_key_passphrase when it is encrypted
// (PKCS#8 "ENCRYPTED PRIVATE KEY" with PBES2, as `openssl pkcs8 -topk8 -v2 aes256` writes).
func loadPrivateKey(t *dbt.Target, home string) (*rsa.PrivateKey, error) {
	var data []byte
	switch {
	case t.PrivateKey.Set():
		data = []byte(t.PrivateKey.Reveal())
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
		data = b
	default:
		return nil, errors.New("authenticator snowflake_jwt needs private_key_path: (a PEM file with your RSA key)")
	}
	return parsePrivateKey(data, t.PrivateKeyPassphrase.Reveal())
}

var (
	oidPBES2      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidHMACSHA1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidHMACSHA512 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}
	oidAES128CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
	oidDESEDE3CBC = asn1.ObjectIdentifier{1, 2, 840, 113549, 3, 7}
)

type encryptedPrivateKeyInfo struct {
	Algo pkix.AlgorithmIdentifier
	Data []byte
}

type pbes2Params struct {
	KDF pkix.AlgorithmIdentifier
	Enc pkix.AlgorithmIdentifier
}

type pbkdf2Params struct {
	Salt      []byte
	Iter      int
	KeyLength int                      `asn1:"optional"`
	PRF       pkix.AlgorithmIdentifier `asn1:"optional"`
}

// parsePrivateKey reads a PEM RSA key: PKCS#8, PKCS#1, or encrypted PKCS#8.
func parsePrivateKey(data []byte, passphrase string) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("private key: not a PEM file (expected -----BEGIN PRIVATE KEY-----)")
	}
	der := block.Bytes
	if block.Type == "ENCRYPTED PRIVATE KEY" {
		if passphrase == "" {
			return nil, errors.New("private key is encrypted: set private_key_passphrase (from an env_var)")
		}
		var err error
		if der, err = decryptPKCS8(der, passphrase); err != nil {
			return nil, err
		}
	}
	var key any
	var err error
	if block.Type == "RSA PRIVATE KEY" {
		key, err = x509.ParsePKCS1PrivateKey(der)
	} else {
		key, err = x509.ParsePKCS8PrivateKey(der)
	}
	if err != nil {
		if block.Type == "ENCRYPTED PRIVATE KEY" {
			return nil, errors.New("private key: wrong private_key_passphrase (the key did not decrypt)")
		}
		return nil, fmt.Errorf("private key: %v", err)
	}
	rk, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("private key: Snowflake key-pair login needs an RSA key, not %T", key)
	}
	return rk, nil
}

func decryptPKCS8(der []byte, passphrase string) ([]byte, error) {
	var info encryptedPrivateKeyInfo
	if _, err := asn1.Unmarshal(der, &info); err != nil {
		return nil, fmt.Errorf("private key: unreadable encrypted key: %v", err)
	}
	if !info.Algo.Algorithm.Equal(oidPBES2) {
		return nil, errors.New("private key: only PBES2-encrypted keys are supported (re-export with openssl pkcs8 -topk8 -v2 aes256)")
	}
	var params pbes2Params
	if _, err := asn1.Unmarshal(info.Algo.Parameters.FullBytes, &params); err != nil {
		return nil, fmt.Errorf("private key: unreadable encryption parameters: %v", err)
	}
	if !params.KDF.Algorithm.Equal(oidPBKDF2) {
		return nil, errors.New("private key: only PBKDF2 key derivation is supported")
	}
	var kdf pbkdf2Params
	if _, err := asn1.Unmarshal(params.KDF.Parameters.FullBytes, &kdf); err != nil {
		return nil, fmt.Errorf("private key: unreadable key derivation parameters: %v", err)
	}
	var h func() hash.Hash
	switch {
	case len(kdf.PRF.Algorithm) == 0, kdf.PRF.Algorithm.Equal(oidHMACSHA1):
		h = sha1.New
	case kdf.PRF.Algorithm.Equal(oidHMACSHA256):
		h = sha256.New
	case kdf.PRF.Algorithm.Equal(oidHMACSHA512):
		h = sha512.New
	default:
		return nil, errors.New("private key: unsupported PBKDF2 hash")
	}
	var keyLen int
	var newCipher func([]byte) (cipher.Block, error)
	switch {
	case params.Enc.Algorithm.Equal(oidAES128CBC):
		keyLen, newCipher = 16, aes.NewCipher
	case params.Enc.Algorithm.Equal(oidAES192CBC):
		keyLen, newCipher = 24, aes.NewCipher
	case params.Enc.Algorithm.Equal(oidAES256CBC):
		keyLen, newCipher = 32, aes.NewCipher
	case params.Enc.Algorithm.Equal(oidDESEDE3CBC):
		keyLen, newCipher = 24, des.NewTripleDESCipher
	default:
		return nil, errors.New("private key: unsupported cipher (use AES-CBC)")
	}
	var iv []byte
	if _, err := asn1.Unmarshal(params.Enc.Parameters.FullBytes, &iv); err != nil {
		return nil, fmt.Errorf("private key: unreadable IV: %v", err)
	}
	if kdf.Iter <= 0 || kdf.Iter > 10_000_000 {
		return nil, errors.New("private key: implausible PBKDF2 iteration count")
	}
	key, err := pbkdf2.Key(h, passphrase, kdf.Salt, kdf.Iter, keyLen)
	if err != nil {
		return nil, fmt.Errorf("private key: %v", err)
	}
	block, err := newCipher(key)
	if err != nil {
		return nil, fmt.Errorf("private key: %v", err)
	}
	if len(iv) != block.BlockSize() || len(info.Data) == 0 || len(info.Data)%block.BlockSize() != 0 {
		return nil, errors.New("private key: damaged encrypted data")
	}
	out := make([]byte, len(info.Data))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(out, info.Data)
	pad := int(out[len(out)-1])
	if pad == 0 || pad > block.BlockSize() || pad > len(out) {
		return nil, errors.New("private key: wrong private_key_passphrase (the key did not decrypt)")
	}
	return out[:len(out)-pad], nil
}
