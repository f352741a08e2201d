package onboard

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/datatui/datatui/internal/config"
)

// warehouseStep is the onboarding step "Warehouse login and role" (StepWarehouse).
func (e *Env) warehouseStep() *Step {
	return &Step{
		Name: StepWarehouse, Title: "Warehouse login and role",
		Explain:  "datatui and dbt log in with your profile. You should work with the contributor role: it can build in your sandbox and read production, and nothing more.",
		Guide:    "roles-and-permissions",
		Required: true, Timeout: 20 * time.Second,
		Needs: []string{StepProfile},
		Check: e.checkWarehouse,
	}
}

func (e *Env) checkWarehouse(ctx context.Context) Result {
	if e.Login == nil {
		return unknown("", "this check needs datatui's warehouse connection, which is not available in this build yet. Check by hand: dbt debug (step \"dbt debug passes\") logs in with your profile")
	}
	id, err := e.Login(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return unknown("", "could not check: the warehouse did not answer in time")
		}
		return failExplained("", "login failed: ", err)
	}
	r := roleResult(id, e.cfg().Warehouse)
	if len(id.Notes) > 0 {
		// What the profile asks of dbt that datatui's connection does not do is said, as a
		// warning: dbt itself may still work with it.
		r.Status = StatusWarn
		r.Detail += "; but " + strings.Join(id.Notes, "; ")
	}
	return r
}

func roleResult(id Identity, w config.Warehouse) Result {
	checked := fmt.Sprintf("logged in to %s as %s", id.Engine, orText(id.User, "(local)"))
	switch {
	case id.Role == "":
		return ok(checked, "logged in (this warehouse has no roles)")
	case w.IsAdminRole(id.Role):
		return warn(checked+", role "+id.Role, fmt.Sprintf("you are using the admin role %s. The team's policy: contributors work with %s; switch the role in your profile", id.Role, w.ContributorRole))
	case !strings.EqualFold(id.Role, w.ContributorRole):
		return warn(checked+", role "+id.Role, fmt.Sprintf("your role is %s, not the contributor role %s", id.Role, w.ContributorRole))
	}
	return ok(checked+", role "+id.Role, "logged in with the contributor role")
}
