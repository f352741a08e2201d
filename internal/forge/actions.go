package forge

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/datatui/datatui/internal/lazyre"
)

// ActionsJob identifies a GitHub Actions job from a check's details URL.
type ActionsJob struct {
	Repo  Repo
	RunID int64
	JobID int64
}

// ParseActionsJobURL reads https://<host>/<o>/<r>/actions/runs/<run>/job/<job> (also the older
// /runs/<job> form used by check runs' details URLs, where the number is the job id).
func ParseActionsJobURL(raw string) (ActionsJob, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ActionsJob{}, false
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) < 4 || parts[2] != "actions" && parts[2] != "runs" {
		return ActionsJob{}, false
	}
	repo := Repo{Host: strings.ToLower(u.Hostname()), Owner: parts[0], Name: parts[1]}
	num := func(s string) int64 {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return 0
		}
		return n
	}
	switch {
	case parts[2] == "actions" && len(parts) >= 7 && parts[3] == "runs" && parts[5] == "job":
		job := ActionsJob{Repo: repo, RunID: num(parts[4]), JobID: num(parts[6])}
		return job, job.RunID > 0 && job.JobID > 0
	case parts[2] == "runs" && len(parts) == 4:
		job := ActionsJob{Repo: repo, JobID: num(parts[3])}
		return job, job.JobID > 0
	}
	return ActionsJob{}, false
}

// maxLogBytes bounds how much of a job log is read: logs of big builds run to many MB and
// only the end explains a failure.
const maxLogBytes = 4 << 20

// JobLogTail fetches an Actions job's log (GitHub answers with a redirect to a short-lived
// download URL, which the HTTP client follows without the token) and returns its last lines,
// with the runner's timestamps removed. The log is streamed: only its tail is kept in memory,
// and the download is bounded by pauses, not by its length.
func (c *Client) JobLogTail(ctx context.Context, repo Repo, jobID int64, lines int) ([]string, error) {
	resp, err := c.logs.RequestWithContext(ctx, http.MethodGet, fmt.Sprintf("repos/%s/%s/actions/jobs/%d/logs", repo.Owner, repo.Name, jobID), nil)
	if err != nil {
		return nil, c.mapError(err, nil)
	}
	defer resp.Body.Close()
	data, err := readTail(resp.Body, maxLogBytes)
	if err != nil {
		return nil, scrub(fmt.Errorf("reading the job log: %w", err), c.token)
	}
	return TailLines(string(data), lines), nil
}

// RerunJob asks GitHub Actions to re-run one job (POST /repos/{o}/{r}/actions/jobs/{id}/rerun).
func (c *Client) RerunJob(ctx context.Context, repo Repo, jobID int64) error {
	return c.restPost(ctx, fmt.Sprintf("repos/%s/%s/actions/jobs/%d/rerun", repo.Owner, repo.Name, jobID), strings.NewReader("{}"))
}

// readTail keeps the last max bytes of r.
func readTail(r io.Reader, max int) ([]byte, error) {
	buf := make([]byte, 0, 64<<10)
	chunk := make([]byte, 32<<10)
	for {
		n, err := r.Read(chunk)
		buf = append(buf, chunk[:n]...)
		if len(buf) > 2*max {
			buf = append(buf[:0], buf[len(buf)-max:]...)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if len(buf) > max {
		buf = buf[len(buf)-max:]
		if i := bytes.IndexByte(buf, '\n'); i >= 0 {
			buf = buf[i+1:]
		}
	}
	return buf, nil
}

var runnerTimestamp = lazyre.New(`^\x{FEFF}?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z `)

// TailLines returns the last n lines of a log, without Actions' leading timestamps and with
// trailing blank lines dropped.
func TailLines(log string, n int) []string {
	log = strings.TrimRight(strings.ReplaceAll(log, "\r\n", "\n"), "\n")
	if log == "" || n <= 0 {
		return nil
	}
	all := strings.Split(log, "\n")
	if len(all) > n {
		all = all[len(all)-n:]
	}
	out := make([]string, len(all))
	for i, l := range all {
		out[i] = runnerTimestamp.ReplaceAllString(l, "")
	}
	return out
}
