package live

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	sf "github.com/snowflakedb/gosnowflake"

	"github.com/datatui/datatui/guides"
	"github.com/datatui/datatui/internal/onboard"
	"github.com/datatui/datatui/internal/warehouse"
	"github.com/datatui/datatui/internal/warehouse/snowflake/sftest"
	"github.com/datatui/datatui/internal/workspace"
)

// TestExplainSnowflake maps the driver's error values (gosnowflake's numbers, and the
// server's login codes as the driver reports them) to plain sentences and guide sections.
func TestExplainSnowflake(t *testing.T) {
	wrap := func(se *sf.SnowflakeError) error {
		// As the snowflake engine returns them: classified, with the driver's error inside.
		return warehouse.Wrap("logging in to Snowflake", warehouse.KindAuth, se)
	}
	tests := []struct {
		err            error
		want, guide, a string
	}{
		{wrap(&sf.SnowflakeError{Number: sf.ErrCodeFailedToConnect, Message: "failed to connect to db. verify account name is correct. HTTP: 403, URL: https://nope.snowflakecomputing.com:443/session/v1/login-request"}), "did not find this account", guideSetup, anchorConnect},
		{wrap(&sf.SnowflakeError{Number: 390100, SQLState: "08004", Message: "Incorrect username or password was specified."}), "did not accept this user and password", guideSetup, anchorConnect},
		{wrap(&sf.SnowflakeError{Number: 390102, SQLState: "08004", Message: "User temporarily locked. Contact your local system administrator or try again later."}), "user is locked", guideRoles, anchorRequest},
		{wrap(&sf.SnowflakeError{Number: 390101, SQLState: "08004", Message: "User access disabled. Contact your local system administrator."}), "user is disabled", guideRoles, anchorRequest},
		{wrap(&sf.SnowflakeError{Number: sf.ErrFailedToAuthSAML, Message: "failed to auth via SAML for unknown reason. HTTP: 500"}), "Single sign-on did not complete", guideSetup, anchorSSO},
		{wrap(&sf.SnowflakeError{Number: sf.ErrCodeIdpConnectionError}), "Single sign-on did not complete", guideSetup, anchorSSO},
		{wrap(&sf.SnowflakeError{Number: sf.ErrCodeSSOURLNotMatch}), "Single sign-on did not complete", guideSetup, anchorSSO},
		{wrap(&sf.SnowflakeError{Number: sf.ErrFailedToGetExternalBrowserResponse}), "Single sign-on did not complete", guideSetup, anchorSSO},
		{wrap(&sf.SnowflakeError{Number: 390144, Message: "JWT token is invalid."}), "did not accept your key pair", guideSetup, anchorKeyPair},
		{wrap(&sf.SnowflakeError{Number: sf.ErrRoleNotExist, Message: "Role 'CONTRIBUTOR' specified in the connect string does not exist or not authorized."}), "role in your profile does not exist", guideRoles, anchorRequest},
		{wrap(&sf.SnowflakeError{Number: sf.ErrCodeServiceUnavailable}), "could not be reached", guideSetup, anchorTrouble},
		{wrap(&sf.SnowflakeError{Number: sf.ErrCodeEmptyAccountCode}), "names no Snowflake account", guideSetup, anchorConnect},
	}
	lib := guides.Embedded()
	for _, tt := range tests {
		r := resultOf(explain(tt.err))
		if r.Status != onboard.StatusFail || !strings.Contains(r.Detail, tt.want) || r.Guide != tt.guide || r.Anchor != tt.a {
			t.Errorf("%v:\n got %+v\nwant %q in %s#%s", tt.err, r, tt.want, tt.guide, tt.a)
		}
		if r.Raw != tt.err.Error() {
			t.Errorf("raw %q, want the error as the driver said it", r.Raw)
		}
		if g, ok := lib.Get(tt.guide); !ok || g.Heading(tt.a) == nil {
			t.Errorf("%s#%s is not a section of the handbook", tt.guide, tt.a)
		}
	}
	// Not a login problem: left for onboard.Explain, then shown as it is.
	for _, err := range []error{&sf.SnowflakeError{Number: 2003, Message: "Database 'X' does not exist or not authorized."}, errors.New("boom")} {
		if got := explain(err); got != err {
			t.Errorf("explain(%v) = %v, want it unchanged", err, got)
		}
	}
}

// resultOf is what the warehouse step shows for a login error.
func resultOf(err error) onboard.Result {
	env := &onboard.Env{Login: func(context.Context) (onboard.Identity, error) { return onboard.Identity{}, err }}
	s, _ := onboard.Find(onboard.Steps(env), onboard.StepWarehouse)
	return s.RunCheck(context.Background())
}

// TestWarehouseStepSaysLoginErrorsPlainly logs in through the real driver to the fake
// Snowflake server, which refuses as Snowflake does.
func TestWarehouseStepSaysLoginErrorsPlainly(t *testing.T) {
	tests := []struct {
		name  string
		setup func(*sftest.Server)
		want  string
	}{
		{"wrong password", func(s *sftest.Server) { s.RequirePassword("other") }, "did not accept this user and password"},
		{"locked", func(s *sftest.Server) {
			s.FailLogin(sftest.SQLError{Code: "390102", SQLState: "08004", Message: "User temporarily locked. Contact your local system administrator or try again later."})
		}, "user is locked"},
		{"no such account", func(s *sftest.Server) { s.FailLoginsHTTP(10, 403) }, "did not find this account"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := sftest.New(t)
			tt.setup(s)
			host, port := s.HostPort()
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "dbt_project.yml"), []byte("name: shop\nprofile: shop\n"), 0o644)
			os.WriteFile(filepath.Join(dir, "profiles.yml"), []byte(fmt.Sprintf(`shop:
  target: dev
  outputs:
    dev:
      type: snowflake
      account: test
      user: ann
      password: "{{ env_var('SF_TEST_PASSWORD') }}"
      host: %s
      port: %s
      protocol: http
      database: SANDBOX_ANN
      schema: dbt_ann
`, host, strconv.Itoa(port))), 0o600)
			ws, err := workspace.Open(workspace.Options{Project: dir, StateHome: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			env := &onboard.Env{Workspace: ws, Environ: []string{"HOME=" + t.TempDir(), "SF_TEST_PASSWORD=s3cret"}, GOOS: "linux", Runner: onboard.ExecRunner{}, Now: time.Now}
			Wire(env)
			r := mustFind(t, onboard.Steps(env), onboard.StepWarehouse).RunCheck(context.Background())
			if r.Status != onboard.StatusFail || !strings.Contains(r.Detail, tt.want) || r.Raw == "" {
				t.Errorf("got %+v, want %q with the raw error kept", r, tt.want)
			}
			if strings.Contains(r.Raw+r.Detail, "s3cret") {
				t.Error("the password reached the result")
			}
		})
	}
}
