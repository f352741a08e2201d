package forge

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestPolicyNext(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	p := DefaultPolicy()
	tests := []struct {
		name    string
		st      PollState
		wait    time.Duration
		backoff bool
		reason  string
	}{
		{"default", PollState{Now: now}, 30 * time.Second, false, ""},
		{"checks running", PollState{Now: now, Pending: true}, 10 * time.Second, false, ""},
		{"idle after unchanged refreshes", PollState{Now: now, Unchanged: 4}, 2 * time.Minute, false, ""},
		{"running beats idle", PollState{Now: now, Unchanged: 9, Pending: true}, 10 * time.Second, false, ""},
		{"retry-after", PollState{Now: now, Failures: 1, Err: &RateLimitError{Status: 429, Wait: 90 * time.Second, Secondary: true}}, 90 * time.Second, true, "rate limit"},
		{"reset time", PollState{Now: now, Failures: 1, Err: &RateLimitError{Status: 403, Reset: now.Add(4 * time.Minute)}}, 4*time.Minute + time.Second, true, "rate limit"},
		{"secondary without hints", PollState{Now: now, Failures: 1, Err: &RateLimitError{Status: 403, Secondary: true}}, time.Minute, true, "rate limit"},
		{"secondary repeated doubles", PollState{Now: now, Failures: 3, Err: &RateLimitError{Status: 403, Secondary: true}}, 4 * time.Minute, true, "rate limit"},
		{"short retry-after never below the interval", PollState{Now: now, Failures: 1, Err: &RateLimitError{Wait: time.Second}}, 30 * time.Second, true, "rate limit"},
		{"5xx first failure", PollState{Now: now, Failures: 1, Err: &ServerError{Status: 502}}, time.Minute, true, "failed 1×"},
		{"5xx third failure", PollState{Now: now, Failures: 3, Err: &ServerError{Status: 502}}, 4 * time.Minute, true, "failed 3×"},
		{"5xx capped", PollState{Now: now, Failures: 7, Err: &ServerError{Status: 503}}, 5 * time.Minute, true, "failed 7×"},
		{"auth error polls rarely", PollState{Now: now, Failures: 1, Err: &AuthError{Host: "github.com"}}, 5 * time.Minute, true, "not signed in"},
		{"budget used up", PollState{Now: now, Rate: RateLimit{Known: true, Remaining: 0, Reset: now.Add(10 * time.Minute)}}, 10*time.Minute + time.Second, true, "used up"},
		{"budget low stretches", PollState{Now: now, Rate: RateLimit{Known: true, Remaining: 10, Cost: 1, Reset: now.Add(20 * time.Minute)}}, 2 * time.Minute, true, "low (10 left)"},
		{"budget low but enough", PollState{Now: now, Rate: RateLimit{Known: true, Remaining: 150, Cost: 1, Reset: now.Add(10 * time.Minute)}}, 30 * time.Second, false, ""},
		{"budget fine", PollState{Now: now, Rate: RateLimit{Known: true, Remaining: 4000, Reset: now.Add(time.Hour)}}, 30 * time.Second, false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := p.Next(tc.st)
			if d.Wait != tc.wait || d.BackingOff != tc.backoff || !strings.Contains(d.Reason, tc.reason) {
				t.Fatalf("got %+v, want wait %s backoff %v reason ~%q", d, tc.wait, tc.backoff, tc.reason)
			}
		})
	}
}

func TestFixedPolicy(t *testing.T) {
	p := FixedPolicy(5 * time.Second)
	now := time.Now()
	if d := p.Next(PollState{Now: now, Pending: true}); d.Wait != 5*time.Second {
		t.Fatal(d)
	}
	if d := p.Next(PollState{Now: now, Unchanged: 100}); d.Wait != 5*time.Second {
		t.Fatal(d)
	}
	if d := p.Next(PollState{Now: now, Failures: 2, Err: errors.New("x")}); d.Wait != 20*time.Second || !d.BackingOff {
		t.Fatal(d)
	}
}

func TestTrackerCountsUnchangedAndFailures(t *testing.T) {
	tr := &Tracker{Policy: DefaultPolicy()}
	now := time.Now()
	snap := &Snapshot{PRs: []PR{{Number: 1, MergeState: "CLEAN", Checks: []Check{{Name: "a", State: "SUCCESS", Bucket: BucketPass}}}}}
	var d Decision
	for range 5 {
		d = tr.Observe(now, snap, nil)
	}
	if d.Wait != 2*time.Minute {
		t.Fatalf("after unchanged refreshes want idle, got %+v", d)
	}
	d = tr.Observe(now, nil, &ServerError{Status: 500})
	d2 := tr.Observe(now, nil, &ServerError{Status: 500})
	if !d.BackingOff || d2.Wait <= d.Wait {
		t.Fatalf("back-off should grow: %+v then %+v", d, d2)
	}
	running := &Snapshot{PRs: []PR{{Number: 1, MergeState: "BLOCKED", Checks: []Check{{Name: "a", State: "IN_PROGRESS", Bucket: BucketPending, Required: true}}}}}
	if d := tr.Observe(now, running, nil); d.Wait != 10*time.Second || d.BackingOff {
		t.Fatalf("success resets the back-off and running checks poll fast: %+v", d)
	}
}

func TestGate(t *testing.T) {
	var g Gate
	id1, ok := g.Begin()
	if !ok {
		t.Fatal("first Begin must start")
	}
	if _, ok := g.Begin(); ok {
		t.Fatal("never two refreshes in flight")
	}
	g.Abandon()
	id2, ok := g.Begin()
	if !ok || id2 == id1 {
		t.Fatal("after Abandon a new request starts with a new id")
	}
	if g.End(id1) {
		t.Fatal("the abandoned request's answer is stale")
	}
	if !g.End(id2) || g.InFlight() {
		t.Fatal("the current answer is accepted and the gate is free")
	}
	if g.End(id2) {
		t.Fatal("an answer is accepted once")
	}
	// Concurrent Begin calls: exactly one wins.
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, ok := g.Begin(); ok {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d concurrent refreshes started", wins)
	}
}

func TestWatchStopsWhenDone(t *testing.T) {
	calls := 0
	fetch := func(context.Context) (*Snapshot, error) {
		calls++
		if calls == 1 {
			return nil, &ServerError{Status: 502}
		}
		state, b, merge := "IN_PROGRESS", BucketPending, "BLOCKED"
		if calls >= 3 {
			state, b, merge = "SUCCESS", BucketPass, "CLEAN"
		}
		return &Snapshot{PRs: []PR{{Number: 1, MergeState: merge, Checks: []Check{{Name: "a", State: state, Bucket: b, Required: true}}}}}, nil
	}
	var reasons []string
	err := Watch(context.Background(), FixedPolicy(time.Millisecond), fetch, func(s *Snapshot, err error, next Decision) bool {
		reasons = append(reasons, next.Reason)
		return err == nil && !s.AnyPending()
	})
	if err != nil || calls != 3 {
		t.Fatalf("err %v after %d calls", err, calls)
	}
	if !strings.Contains(reasons[0], "failed 1×") {
		t.Fatalf("the back-off is said: %q", reasons)
	}
}

func TestRoundWait(t *testing.T) {
	for d, want := range map[time.Duration]string{20 * time.Millisecond: "20ms", 30 * time.Second: "30s", time.Minute: "1m",
		4*time.Minute + time.Second: "4m1s", time.Hour + 5*time.Minute + 3*time.Second: "1h5m", 2 * time.Hour: "2h"} {
		if got := roundWait(d); got != want {
			t.Errorf("roundWait(%s) = %q, want %q", d, got, want)
		}
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"1", "120", "-5", "Wed, 21 Oct 2015 07:28:00 GMT", "", "x"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		if d := parseRetryAfter(s, now); d < 0 {
			t.Fatalf("negative wait %s for %q", d, s)
		}
	})
}

func FuzzReadTail(f *testing.F) {
	f.Add("a\nb\nc\n", 2)
	f.Add("2026-11-26T09:00:01.1000000Z x\r\n", 1)
	f.Fuzz(func(t *testing.T, s string, n int) {
		n = n % 50
		b, err := readTail(strings.NewReader(s), 16)
		if err != nil || len(b) > 32 {
			t.Fatalf("readTail: %d bytes, %v", len(b), err)
		}
		if lines := TailLines(s, n); len(lines) > max(n, 0) {
			t.Fatalf("TailLines gave %d lines for n=%d", len(lines), n)
		}
	})
}

func TestPolicyCapsAbsurdResets(t *testing.T) {
	now := time.Now()
	d := DefaultPolicy().Next(PollState{Now: now, Err: &RateLimitError{Reset: now.Add(1000 * time.Hour)}})
	if d.Wait != maxLimitWait {
		t.Fatalf("wait %s", d.Wait)
	}
}
