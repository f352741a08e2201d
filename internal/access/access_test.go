package access

import (
	"context"
	"strings"
	"testing"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/demo"
	"github.com/datatui/datatui/internal/warehouse"
)

func TestTheDemoLacksThePaymentsTable(t *testing.T) {
	ws, err := demo.Open(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Check(context.Background(), ws, Inputs{Policy: warehouse.Policy{Sandbox: "sandbox", Prod: "prod"}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Role != "TRANSFORMER" || r.Checked != 6 || r.Live {
		t.Errorf("report %+v", r)
	}
	if len(r.Findings) != 1 {
		t.Fatalf("findings %+v", r.Findings)
	}
	msg := r.Findings[0].Message()
	if !strings.HasPrefix(msg, "TRANSFORMER has no SELECT on PROD.RAW.CASHBACK_PAYOUTS: grants for PROD.RAW are in terraform/grants.tf:") ||
		!strings.HasSuffix(msg, "ask for access with a PR there") {
		t.Errorf("message %q", msg)
	}
	if w := r.Findings[0].Where; w.File != "terraform/grants.tf" || w.Line < 1 {
		t.Errorf("place to ask %+v", w)
	}
}

func TestTheSessionsGrantsCount(t *testing.T) {
	g := dbt.NewGraph([]dbt.Node{
		{UniqueID: "source.p.stripe.charges", Name: "charges", ResourceType: "source", Database: "RAW", Schema: "STRIPE", RelationName: `"RAW"."STRIPE"."CHARGES_V2"`},
	}, dbt.Origin{})
	needs, n := SourceNeeds(g, warehouse.Policy{Prod: "ANALYTICS"})
	if n != 1 || needs[2].Name() != "RAW.STRIPE.CHARGES_V2" {
		t.Fatalf("needs %+v", needs)
	}
	has := liveHas([]warehouse.Grant{
		{Privilege: "USAGE", GrantedOn: "DATABASE", Name: "RAW"},
		{Privilege: "USAGE", GrantedOn: "SCHEMA", Name: "RAW.STRIPE"},
		{Privilege: "SELECT", GrantedOn: "VIEW", Name: `"RAW"."STRIPE"."CHARGES_V2"`},
	})
	for _, need := range needs {
		if !has(need) {
			t.Errorf("the session has %s on %s", need.Privilege, need.Name())
		}
	}
	if liveHas(nil)(needs[0]) {
		t.Error("no grants, yet USAGE")
	}
}
