// Package credstore keeps datatui's secrets (API tokens) in the operating system's keyring:
// the macOS Keychain, the Windows Credential Manager, or the Secret Service on Linux (GNOME
// Keyring, KWallet). It is deliberately small — a service name and a key per secret — so any
// integration (dbt Cloud today, a PagerDuty token later) stores its token the same way.
//
// The keyring library is github.com/99designs/keyring: it is already part of datatui through
// the Snowflake driver (gosnowflake caches its tokens with it), so it adds no new code to audit,
// and it covers all three platforms. Only the OS-native backends are allowed: its encrypted-file
// and pass backends would prompt for a passphrase in the middle of a terminal app. Where no
// keyring exists (a container, an SSH session without a Secret Service) every call returns an
// *UnavailableError that says what to use instead.
package credstore

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/99designs/keyring"
)

// Store keeps secrets by service and key.
type Store interface {
	// Get returns the secret, or ErrNotFound.
	Get(service, key string) (string, error)
	Set(service, key, secret string) error
	// Delete removes the secret; ErrNotFound when there was none.
	Delete(service, key string) error
	// Keys lists the keys stored for service (never the secrets).
	Keys(service string) ([]string, error)
}

// ErrNotFound means the keyring holds no such secret.
var ErrNotFound = errors.New("not in the keyring")

// UnavailableError means this machine has no usable OS keyring.
type UnavailableError struct{ Err error }

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("no OS keyring is available here (macOS Keychain, Windows Credential Manager or a Secret Service such as GNOME Keyring): %v", e.Err)
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// OS returns the operating system's keyring.
func OS() Store { return osStore{} }

type osStore struct{}

func open(service string) (keyring.Keyring, error) {
	kr, err := keyring.Open(keyring.Config{
		ServiceName:              service,
		AllowedBackends:          []keyring.BackendType{keyring.KeychainBackend, keyring.WinCredBackend, keyring.SecretServiceBackend, keyring.KWalletBackend},
		KeychainTrustApplication: true,
		LibSecretCollectionName:  "login",
		KWalletAppID:             service,
		KWalletFolder:            service,
		WinCredPrefix:            service,
	})
	if err != nil {
		return nil, &UnavailableError{Err: err}
	}
	return kr, nil
}

func (osStore) Get(service, key string) (string, error) {
	kr, err := open(service)
	if err != nil {
		return "", err
	}
	item, err := kr.Get(key)
	if errors.Is(err, keyring.ErrKeyNotFound) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", err
	}
	return string(item.Data), nil
}

func (osStore) Set(service, key, secret string) error {
	kr, err := open(service)
	if err != nil {
		return err
	}
	return kr.Set(keyring.Item{Key: key, Data: []byte(secret), Label: service + " " + key, Description: "API token stored by datatui"})
}

func (osStore) Delete(service, key string) error {
	kr, err := open(service)
	if err != nil {
		return err
	}
	err = kr.Remove(key)
	if errors.Is(err, keyring.ErrKeyNotFound) {
		return ErrNotFound
	}
	return err
}

func (osStore) Keys(service string) ([]string, error) {
	kr, err := open(service)
	if err != nil {
		return nil, err
	}
	keys, err := kr.Keys()
	slices.Sort(keys)
	return keys, err
}

// Memory is a Store in memory, for tests and for callers that must not touch the OS keyring.
type Memory struct {
	mu      sync.Mutex
	secrets map[string]map[string]string
}

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory { return &Memory{secrets: map[string]map[string]string{}} }

func (m *Memory) Get(service, key string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.secrets[service][key]
	if !ok {
		return "", ErrNotFound
	}
	return s, nil
}

func (m *Memory) Set(service, key, secret string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.secrets[service] == nil {
		m.secrets[service] = map[string]string{}
	}
	m.secrets[service][key] = secret
	return nil
}

func (m *Memory) Delete(service, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.secrets[service][key]; !ok {
		return ErrNotFound
	}
	delete(m.secrets[service], key)
	return nil
}

func (m *Memory) Keys(service string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var keys []string
	for k := range m.secrets[service] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys, nil
}
