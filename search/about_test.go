package search

import (
	"slices"
	"testing"

	"github.com/evident/evident/roles"
)

func TestAbout(t *testing.T) {
	tax := roles.Default()
	tests := []struct {
		text string
		want []string
	}{
		{"My CFO keeps asking for a forecast she can trust.", []string{"cfo"}},
		{"Buyers tell us the contract terms matter more than the price.", []string{"procurement"}},
		{"Controllers we spoke to say the annual budget is out of date by March.", []string{"cfo"}},
		{"One finance director told us her board now asks for a fresh outlook.", []string{"cfo"}},
		{"Our CTO always pushes back on new vendors.", []string{"cto"}},
		{"Engineers were like \"why is this so slow?\"", []string{"engineer"}},
		{"Our CEO keeps telling me to cut costs, and my CFO wants a plan.", []string{"ceo", "cfo"}},
		// The speaker describing themself.
		{"As the CFO I see every invoice.", nil},
		{"I'm the CFO here and I think we need it.", nil},
		{"I was a CTO before, and I know what I want.", nil},
		// A role named without anyone reporting on it.
		{"The CFO role is hard to fill.", nil},
		{"We built our developer platform, which customers use.", nil}, // a thing, not a person
		{"The developer experience matters.", nil},
		// Words that are roles only sometimes: in the singular they are not.
		{"The buyer wants a discount.", nil},
		{"The controller says the ledger is fine.", nil},
		{"Controllers say the ledger is fine.", []string{"cfo"}},
		// Buying-committee roles and bare role ids are left out.
		{"Our champions say it works.", nil},
		{"Users love the new product and our product says so.", nil},
		{"", nil},
	}
	for _, tt := range tests {
		if got := About(tax, tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("About(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
	if got := About(nil, "My CFO keeps asking."); got != nil {
		t.Errorf("without a taxonomy: %v", got)
	}
}
