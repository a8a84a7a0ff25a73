package persona

import (
	"strings"

	"github.com/evident/evident"
	"github.com/evident/evident/roles"
)

// Correction is what a person says of one speaker of a document. Nil
// fields stand as they are.
type Correction struct {
	Role        *string `json:"role,omitempty"`
	Title       *string `json:"title,omitempty"`
	Company     *string `json:"company,omitempty"`
	Interviewer *bool   `json:"interviewer,omitempty"`
}

// IsZero reports whether the correction says nothing.
func (c Correction) IsZero() bool {
	return c.Role == nil && c.Title == nil && c.Company == nil && c.Interviewer == nil
}

// Merge lays o over c: o's set fields win.
func (c Correction) Merge(o Correction) Correction {
	if o.Role != nil {
		c.Role = o.Role
	}
	if o.Title != nil {
		c.Title = o.Title
	}
	if o.Company != nil {
		c.Company = o.Company
	}
	if o.Interviewer != nil {
		c.Interviewer = o.Interviewer
	}
	return c
}

// Correct applies people's corrections, by speaker name, to a document's
// speakers and their passages, after whatever was detected. A role is
// canonicalised by the taxonomy and keeps the title as written ("VP of
// Engineering" → vp-engineering); a title alone gives its role. Interviewers'
// passages carry no role. It returns the indexes of the passages whose
// speaker changed in a way that matters to their tags or their role.
func Correct(speakers []evident.Person, ps []evident.Passage, fixes map[string]Correction, tax *roles.Taxonomy) []int {
	if len(fixes) == 0 {
		return nil
	}
	fixed := map[string]*evident.Person{}
	for i := range speakers {
		who := &speakers[i]
		c, ok := fixes[who.Name]
		if !ok {
			continue
		}
		fixed[who.Name] = who
		if c.Role != nil {
			written := strings.TrimSpace(*c.Role)
			who.Role = tax.Canonical(written)
			who.RoleSource, who.RoleReason = evident.RoleFromPerson, ""
			if written == "" {
				who.RoleSource = ""
			}
			if c.Title == nil && written != "" && !strings.EqualFold(written, who.Role) {
				who.Title = written
			}
		}
		if c.Title != nil {
			who.Title = strings.TrimSpace(*c.Title)
			if c.Role == nil && who.Title != "" && tax != nil {
				if id, ok := tax.Title(who.Title); ok {
					who.Role, who.RoleSource, who.RoleReason = id, evident.RoleFromPerson, ""
				}
			}
		}
		if c.Company != nil {
			who.Company = strings.TrimSpace(*c.Company)
		}
		if c.Interviewer != nil {
			who.Interviewer, who.InterviewerSource = *c.Interviewer, string(evident.RoleFromPerson)
		}
	}
	var changed []int
	for i := range ps {
		p := &ps[i]
		who := fixed[p.Speaker]
		if who == nil || p.Section != "" {
			continue
		}
		before := *p
		p.Interviewer = who.Interviewer
		switch {
		case who.Interviewer:
			p.Role, p.RoleSource, p.Title = "", "", ""
		case who.Role != "" || who.RoleSource == "" && fixes[p.Speaker].Role != nil:
			p.Role, p.RoleSource, p.Title = who.Role, who.RoleSource, who.Title
		default:
			p.Title = who.Title
		}
		if p.Interviewer != before.Interviewer || p.Role != before.Role || p.RoleSource != before.RoleSource || p.Title != before.Title {
			changed = append(changed, i)
		}
	}
	return changed
}
