package frontend

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"pacer/grades"
	"pacer/modules"
)

// mountGrades adds the gradebook (staff) and a student's grades page.
func (f *Frontend) mountGrades(r fiber.Router) {
	if f.Grades == nil {
		return
	}
	r.Get("/courses/:course/gradebook", f.signedIn, f.gradebookPage)
	r.Get("/courses/:course/grades", f.signedIn, f.gradesPage)
}

// GradeCell is a gradebook cell as the pages show it: its grade, a badge
// and where a click leads (the grading page, or the quiz attempt).
type GradeCell struct {
	grades.Cell
	Badge  Badge
	Href   string
	Points float64
}

// gradesPage is the dot of both pages.
type gradesPage struct {
	Course  modules.Course
	Columns []grades.Column
	Rows    []gradeRow
	Sort    string
	Own     bool
}

type gradeRow struct {
	grades.Row
	Cells []GradeCell
}

// cellBadge names a cell's status for people.
func cellBadge(status string) Badge {
	switch status {
	case grades.Graded:
		return Badge{"completed", "Graded"}
	case grades.NeedsGrading:
		return Badge{"due", "Needs grading"}
	case grades.Missed:
		return Badge{"overdue", "Missed"}
	}
	return Badge{"neutral", "Not submitted"}
}

// gradeRows dresses rows for the pages; staff cells link to where the
// grade is given or seen.
func gradeRows(course uint64, cols []grades.Column, rows []grades.Row, staff bool) []gradeRow {
	out := make([]gradeRow, 0, len(rows))
	for _, r := range rows {
		gr := gradeRow{Row: r}
		for i, c := range r.Cells {
			gc := GradeCell{Cell: c, Badge: cellBadge(c.Status), Points: cols[i].Points}
			switch {
			case c.AttemptID != 0:
				gc.Href = attemptPath(course, c.AttemptID)
			case staff && c.SubmissionID != 0:
				gc.Href = fmt.Sprintf("/courses/%d/items/%d/submissions#submission-%d", course, c.ItemID, c.SubmissionID)
			case !staff:
				gc.Href = itemPagePath(course, c.ItemID)
			}
			gr.Cells = append(gr.Cells, gc)
		}
		out = append(out, gr)
	}
	return out
}

func (f *Frontend) gradebookPage(c *fiber.Ctx) error {
	a, err := f.loadCourse(c, "gradebook")
	if err != nil {
		return err
	}
	sort := c.Query("sort", grades.ByName)
	b, err := f.Grades.Gradebook(c.UserContext(), caller(c), a.Course.ID, sort)
	if err != nil {
		return err
	}
	return f.render(c, fiber.StatusOK, "grades/gradebook", gradesPage{Course: a.Course, Columns: b.Columns,
		Rows: gradeRows(a.Course.ID, b.Columns, b.Rows, true), Sort: sort})
}

func (f *Frontend) gradesPage(c *fiber.Ctx) error {
	a, err := f.loadCourse(c, "grades")
	if err != nil {
		return err
	}
	o, err := f.Grades.Grades(c.UserContext(), caller(c), a.Course.ID)
	if err != nil {
		return err
	}
	return f.render(c, fiber.StatusOK, "grades/own", gradesPage{Course: a.Course, Columns: o.Columns,
		Rows: gradeRows(a.Course.ID, o.Columns, []grades.Row{o.Row}, false), Own: true})
}
