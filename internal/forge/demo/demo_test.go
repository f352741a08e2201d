package demo

import (
	"testing"
	"time"
)

func TestShiftKeepsFormats(t *testing.T) {
	in := `{"a": "2026-11-21T10:31:05Z", "b": "2026-11-21 10:31:10+00:00", "c": "2026-11-20 15:40:11.123456+00:00", "d": "Run #981"}`
	got := string(shift([]byte(in), 2*time.Hour))
	want := `{"a": "2026-11-21T12:31:05Z", "b": "2026-11-21 12:31:10+00:00", "c": "2026-11-20 17:40:11+00:00", "d": "Run #981"}`
	if got != want {
		t.Fatalf("shift:\n%s\nwant\n%s", got, want)
	}
}

func TestStartServesTheRecording(t *testing.T) {
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if c := s.Credentials(); len(c) != 1 || c[0].BaseURL != s.URL() || c[0].Source != Label {
		t.Fatalf("credentials %+v", c)
	}
}
