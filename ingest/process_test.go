package ingest

import (
	"testing"

	"github.com/evident/evident/roles"
)

func TestFolderRole(t *testing.T) {
	tax := roles.Default()
	tests := []struct {
		folder, role string
		ok           bool
	}{
		{"", "", true},
		{"cfo", "cfo", true},
		{"CFOs", "cfo", true},
		{"finance-directors", "cfo", true},
		{"vp_of_engineering", "vp-engineering", true},
		{"founders", "founder", true},
		{"batch", "", false},
		{"2024", "", false},
		{"cfo-interviews", "", false}, // a folder about CFOs is no title
	}
	for _, tt := range tests {
		role, ok := FolderRole(tax, tt.folder)
		if role != tt.role || ok != tt.ok {
			t.Errorf("FolderRole(%q) = %q, %v; want %q, %v", tt.folder, role, ok, tt.role, tt.ok)
		}
	}
}
