package web

import (
	"net/http"

	"github.com/evident/evident/api"
)

// matrixCell is one count of the evidence matrix with its search.
type matrixCell struct {
	Count int
	Heat  int    // 0 (none) to 4 (the most in the matrix), for shading
	URL   string // the search for this role and category; empty for no role
}

type matrixRow struct {
	Role     string
	Passages int
	Untagged int
	URL      string
	Cells    []matrixCell
}

type matrixPage struct {
	chrome
	Categories []string
	Rows       []matrixRow
}

func (u *ui) matrix(w http.ResponseWriter, r *http.Request) {
	m, err := u.svc.Matrix(r.Context())
	if err != nil {
		u.s.failPage(w, failCode(err), "Evidence matrix", err)
		return
	}
	u.s.render(w, "matrix", http.StatusOK, matrixPage{
		chrome:     chrome{Title: "Evidence matrix", Nav: "matrix"},
		Categories: m.Categories,
		Rows:       matrixRows(m),
	})
}

func matrixRows(m *api.Matrix) []matrixRow {
	most := 0
	for _, cov := range m.Cells {
		for _, n := range cov.Categories {
			most = max(most, n)
		}
	}
	var rows []matrixRow
	for _, role := range m.Roles {
		cov := m.Cells[role]
		if cov == nil {
			continue
		}
		row := matrixRow{Role: role, Passages: cov.Passages, Untagged: cov.Untagged}
		if role != "" {
			row.URL = searchURL(fieldTerm("role", role))
		}
		for _, c := range m.Categories {
			n := cov.Categories[c]
			cell := matrixCell{Count: n}
			if n > 0 && most > 0 {
				cell.Heat = 1 + 3*n/most
				cell.Heat = min(cell.Heat, 4)
			}
			if role != "" {
				cell.URL = searchURL(fieldTerm("role", role) + " " + fieldTerm("category", c))
			}
			row.Cells = append(row.Cells, cell)
		}
		rows = append(rows, row)
	}
	return rows
}
