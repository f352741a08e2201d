package warehouse

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/datatui/datatui/internal/atomicfile"
	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/redact"
)

// Snapshot is what datatui knows about the user's sandbox at one moment: who they are, the
// sandbox database, its schemas and objects. It is what `datatui sandbox status --json`
// prints and what the sandbox screen caches for an instant first paint.
type Snapshot struct {
	// Taken is when the listing was made.
	Taken  time.Time `json:"taken"`
	Engine string    `json:"engine"`
	// Identity is who the session ran as.
	Identity Identity `json:"identity"`
	// Policy names the sandbox, prod, clone and protected databases.
	Policy Policy `json:"policy"`
	// Exists is false when the sandbox database does not exist yet (refresh creates it).
	Exists bool `json:"exists"`
	// Sandbox describes the sandbox database (created is when it was last cloned).
	Sandbox Database `json:"sandbox"`
	// Role is "contributor", "admin" or "other", judged against datatui.yml.
	Role string `json:"role_kind"`
	// ContributorRole and AdminRoles are the team's policy, for messages.
	ContributorRole string `json:"contributor_role,omitempty"`
	// RefreshPolicyDays is datatui.yml's warehouse.refresh_policy_days (0: no policy).
	RefreshPolicyDays int      `json:"refresh_policy_days"`
	Schemas           []Schema `json:"schemas"`
	Objects           []Object `json:"objects"`
}

// Role kinds.
const (
	RoleContributor = "contributor"
	RoleAdmin       = "admin"
	RoleOther       = "other"
)

// Progress is emitted by Inspect after each level it loaded, carrying what is known so far.
type Progress struct {
	Stage    string // "identity", "database", "schemas", "objects"
	Snapshot *Snapshot
}

// Inspect lists the user's sandbox level by level (identity, database, schemas, objects),
// one round trip each, calling progress (if not nil) with a copy after each level so a
// screen can paint as data arrives.
func Inspect(ctx context.Context, w Warehouse, cfg *config.Config, progress func(Progress)) (*Snapshot, error) {
	if cfg == nil {
		cfg = config.Default()
	}
	snap := &Snapshot{Engine: w.Engine(), Policy: w.Policy(), ContributorRole: cfg.Warehouse.ContributorRole,
		RefreshPolicyDays: cfg.Warehouse.RefreshPolicyDays}
	emit := func(stage string) {
		if progress != nil {
			c := *snap
			progress(Progress{Stage: stage, Snapshot: &c})
		}
	}
	id, err := w.Identity(ctx)
	if err != nil {
		return nil, err
	}
	// The sandbox is the session's own, known only now (see Warehouse.Policy).
	snap.Identity, snap.Policy = id, w.Policy()
	snap.Role = RoleKind(cfg.Warehouse, id.Role)
	emit("identity")
	if strings.TrimSpace(snap.Policy.Sandbox) == "" {
		// No sandbox can be named (the session is not the profile's user): Policy.ReadOnly says why.
		snap.Taken = time.Now()
		emit("database")
		return snap, nil
	}
	db, err := w.Database(ctx, snap.Policy.Sandbox)
	switch {
	case errors.Is(err, ErrNotFound):
		snap.Taken = time.Now()
		emit("database")
		return snap, nil
	case err != nil:
		return nil, err
	}
	snap.Exists, snap.Sandbox = true, db
	emit("database")
	if snap.Schemas, err = w.ListSchemas(ctx, db.Name); err != nil {
		return nil, err
	}
	emit("schemas")
	if snap.Objects, err = w.ListObjects(ctx, db.Name); err != nil {
		return nil, err
	}
	SortObjects(snap.Objects)
	snap.Taken = time.Now()
	emit("objects")
	return snap, nil
}

// SortObjects orders objects by schema then name, case-insensitively.
func SortObjects(objs []Object) {
	sort.SliceStable(objs, func(i, j int) bool {
		a, b := objs[i], objs[j]
		if !strings.EqualFold(a.Schema, b.Schema) {
			return strings.ToLower(a.Schema) < strings.ToLower(b.Schema)
		}
		return strings.ToLower(a.Name) < strings.ToLower(b.Name)
	})
}

// RoleKind judges role against the team's policy.
func RoleKind(w config.Warehouse, role string) string {
	switch {
	case role == "":
		return RoleOther
	case w.IsAdminRole(role):
		return RoleAdmin
	case w.ContributorRole != "" && strings.EqualFold(w.ContributorRole, role):
		return RoleContributor
	}
	return RoleOther
}

// SchemaTotal sums one schema's objects; Rows and Bytes are -1 when no object's are known.
type SchemaTotal struct {
	Name   string `json:"name"`
	Tables int    `json:"tables"`
	Views  int    `json:"views"`
	Rows   int64  `json:"rows"`
	Bytes  int64  `json:"bytes"`
}

// SchemaTotals sums objects per schema, in the order of s.Schemas (schemas without objects
// included).
func (s *Snapshot) SchemaTotals() []SchemaTotal {
	idx := map[string]int{}
	var out []SchemaTotal
	add := func(name string) int {
		k := strings.ToLower(name)
		if i, ok := idx[k]; ok {
			return i
		}
		idx[k] = len(out)
		out = append(out, SchemaTotal{Name: name, Rows: -1, Bytes: -1})
		return len(out) - 1
	}
	for _, sc := range s.Schemas {
		add(sc.Name)
	}
	for _, o := range s.Objects {
		t := &out[add(o.Schema)]
		if o.Kind == KindView {
			t.Views++
		} else {
			t.Tables++
		}
		if o.Rows >= 0 {
			t.Rows = max(t.Rows, 0) + o.Rows
		}
		if o.Bytes >= 0 {
			t.Bytes = max(t.Bytes, 0) + o.Bytes
		}
	}
	return out
}

// TotalBytes is the sandbox's size: the database's own size when the engine reports one
// (a DuckDB file), else the sum of its tables.
func (s *Snapshot) TotalBytes() int64 {
	if s.Sandbox.Bytes > 0 {
		return s.Sandbox.Bytes
	}
	var n int64
	for _, o := range s.Objects {
		if o.Bytes > 0 {
			n += o.Bytes
		}
	}
	return n
}

// Summary is the one-line state of the sandbox Home and the status bar show. It is cheap:
// ReadSummary builds it from the cached snapshot without touching the warehouse.
type Summary struct {
	Engine   string    `json:"engine"`
	Sandbox  string    `json:"sandbox"`
	Exists   bool      `json:"exists"`
	User     string    `json:"user"`
	Role     string    `json:"role"`
	RoleKind string    `json:"role_kind"`
	Cloned   time.Time `json:"cloned,omitzero"`
	From     string    `json:"cloned_from,omitempty"`
	// AgeDays is whole days since the last clone; Stale is true when it exceeds the policy.
	AgeDays    int       `json:"age_days"`
	PolicyDays int       `json:"refresh_policy_days"`
	Stale      bool      `json:"stale"`
	Schemas    int       `json:"schemas"`
	Objects    int       `json:"objects"`
	Bytes      int64     `json:"bytes"`
	Taken      time.Time `json:"taken"`
}

// Summarise computes the summary at now.
func (s *Snapshot) Summarise(now time.Time) Summary {
	sum := Summary{Engine: s.Engine, Sandbox: s.Policy.Sandbox, Exists: s.Exists, User: s.Identity.User, Role: s.Identity.Role,
		RoleKind: s.Role, PolicyDays: s.RefreshPolicyDays, Schemas: len(s.Schemas), Objects: len(s.Objects), Bytes: s.TotalBytes(), Taken: s.Taken}
	if s.Exists {
		sum.Sandbox = s.Sandbox.Name
		sum.Cloned = s.Sandbox.Created
		sum.From = s.Sandbox.Origin
		if sum.From == "" {
			sum.From = s.Policy.Clone
		}
		if !sum.Cloned.IsZero() {
			sum.AgeDays = int(now.Sub(sum.Cloned).Hours() / 24)
			sum.Stale = sum.PolicyDays > 0 && sum.AgeDays > sum.PolicyDays
		}
	}
	return sum
}

// Line is the summary in a sentence: "SANDBOX_ANN: cloned 9 days ago from ANALYTICS_CLONE
// (policy 14 days), 12 objects, 1.2 GB".
func (s Summary) Line() string {
	if !s.Exists {
		return fmt.Sprintf("%s does not exist yet: refresh it to clone %s", s.Sandbox, orDash(s.From))
	}
	var b strings.Builder
	b.WriteString(s.Sandbox + ": ")
	if s.Cloned.IsZero() {
		b.WriteString("clone date unknown")
	} else {
		b.WriteString("cloned " + Ago(s.AgeDays))
		if s.From != "" {
			b.WriteString(" from " + s.From)
		}
	}
	if s.Stale {
		fmt.Fprintf(&b, " (older than the team's %d-day policy: refresh it)", s.PolicyDays)
	}
	fmt.Fprintf(&b, ", %d objects, %s", s.Objects, HumanBytes(s.Bytes))
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "the clone"
	}
	return s
}

// Ago says "today", "yesterday" or "9 days ago".
func Ago(days int) string {
	switch {
	case days <= 0:
		return "today"
	case days == 1:
		return "yesterday"
	}
	return fmt.Sprintf("%d days ago", days)
}

// HumanBytes formats a size: "812 B", "1.2 KB", "3.4 GB"; "-" when unknown (< 0).
func HumanBytes(n int64) string {
	if n < 0 {
		return "-"
	}
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "KMGTPE"[exp])
}

// cacheFile is the snapshot cache's name in the workspace's state dir.
const cacheFile = "sandbox.json"

// SaveSnapshot writes snap to stateDir atomically (0600: it names people and databases).
func SaveSnapshot(stateDir string, snap *Snapshot) error {
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return err
	}
	data, err := redact.Marshal(snap) // state files never hold a secret (a MotherDuck token in a path)
	if err != nil {
		return err
	}
	_, err = atomicfile.Write(filepath.Join(stateDir, cacheFile), data, atomicfile.Options{Perm: 0o600})
	return err
}

// LoadSnapshot reads the cached snapshot from stateDir (os.ErrNotExist when there is none).
func LoadSnapshot(stateDir string) (*Snapshot, error) {
	data, err := os.ReadFile(filepath.Join(stateDir, cacheFile))
	if err != nil {
		return nil, err
	}
	var s Snapshot
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("the cached sandbox listing is damaged (%v); it is rebuilt on the next load", err)
	}
	return &s, nil
}

// ReadSummary is the cheap summary for Home: the cached snapshot summarised at now, without
// any round trip. ok is false when nothing was cached yet.
func ReadSummary(stateDir string, now time.Time) (sum Summary, ok bool) {
	s, err := LoadSnapshot(stateDir)
	if err != nil {
		return Summary{}, false
	}
	return s.Summarise(now), true
}
