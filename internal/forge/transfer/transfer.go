// Package transfer bounds how long an HTTP download may wait, never how long it may take. A
// client-wide timeout (http.Client.Timeout) also covers reading the body, so a multi-MB CI log
// on a slow line is cut off half-way; here the wait for the response headers and every pause
// while reading are bounded instead, and the request's context still cancels everything.
package transfer

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// StalledError is a server that stopped answering for longer than the limit.
type StalledError struct {
	After time.Duration
	// Headers is true when the wait was for the response headers.
	Headers bool
}

func (e *StalledError) Error() string {
	if e.Headers {
		return fmt.Sprintf("no answer within %s", e.After)
	}
	return fmt.Sprintf("the download stalled: no data for %s", e.After)
}

// Timeout reports true, like net.Error timeouts.
func (e *StalledError) Timeout() bool { return true }

// HeaderTimeout wraps next (http.DefaultTransport when nil) so that a request fails when its
// response headers take longer than limit, or when the body then pauses for longer than limit.
func HeaderTimeout(next http.RoundTripper, limit time.Duration) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	if limit <= 0 {
		return next
	}
	return &idleTransport{next: next, limit: limit}
}

type idleTransport struct {
	next  http.RoundTripper
	limit time.Duration
}

func (t *idleTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancel(req.Context())
	w := &watch{cancel: cancel, limit: t.limit}
	w.timer = time.AfterFunc(t.limit, w.fire)
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		w.stop()
		cancel()
		if w.hasFired() {
			return nil, &StalledError{After: t.limit, Headers: true}
		}
		return nil, err
	}
	if w.hasFired() {
		resp.Body.Close()
		cancel()
		return nil, &StalledError{After: t.limit, Headers: true}
	}
	w.reset()
	resp.Body = &idleBody{body: resp.Body, w: w}
	return resp, nil
}

// watch cancels the request when its timer fires.
type watch struct {
	mu     sync.Mutex
	timer  *time.Timer
	fired  bool
	cancel context.CancelFunc
	limit  time.Duration
}

func (w *watch) fire() {
	w.mu.Lock()
	w.fired = true
	w.mu.Unlock()
	w.cancel()
}

func (w *watch) hasFired() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.fired
}

func (w *watch) reset() { w.timer.Reset(w.limit) }
func (w *watch) stop()  { w.timer.Stop() }

type idleBody struct {
	body io.ReadCloser
	w    *watch
}

func (b *idleBody) Read(p []byte) (int, error) {
	n, err := b.body.Read(p)
	if n > 0 {
		b.w.reset()
	}
	if err != nil && err != io.EOF && b.w.hasFired() {
		return n, &StalledError{After: b.w.limit}
	}
	return n, err
}

func (b *idleBody) Close() error {
	b.w.stop()
	err := b.body.Close()
	b.w.cancel()
	return err
}
