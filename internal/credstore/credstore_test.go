package credstore

import (
	"errors"
	"testing"
)

func TestMemory(t *testing.T) {
	var s Store = NewMemory()
	if _, err := s.Get("svc", "a"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("empty store: %v", err)
	}
	if err := s.Set("svc", "b", "2"); err != nil {
		t.Fatal(err)
	}
	_ = s.Set("svc", "a", "1")
	_ = s.Set("other", "c", "3")
	if v, err := s.Get("svc", "a"); v != "1" || err != nil {
		t.Fatalf("get: %q %v", v, err)
	}
	if keys, _ := s.Keys("svc"); len(keys) != 2 || keys[0] != "a" || keys[1] != "b" {
		t.Fatalf("keys %q", keys)
	}
	if err := s.Delete("svc", "a"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete("svc", "a"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
}

// TestOSKeyringSaysWhenAbsent: where the machine has a keyring the round trip works; where it
// has none (CI containers), the error says so in words instead of failing obscurely.
func TestOSKeyringSaysWhenAbsent(t *testing.T) {
	s := OS()
	const svc = "datatui-test-credstore"
	err := s.Set(svc, "probe", "x")
	var ue *UnavailableError
	if errors.As(err, &ue) {
		if _, err := s.Get(svc, "probe"); !errors.As(err, &ue) {
			t.Fatalf("Get without a keyring: %v", err)
		}
		if ue.Error() == "" || !errors.Is(err, ue.Err) {
			t.Fatal("the error explains itself")
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	defer s.Delete(svc, "probe")
	if v, err := s.Get(svc, "probe"); v != "x" || err != nil {
		t.Fatalf("round trip: %q %v", v, err)
	}
}
