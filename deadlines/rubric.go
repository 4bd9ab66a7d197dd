package deadlines

import (
	"encoding/json"
	"fmt"
	"math"

	"pacer/errs"
	"pacer/modules"
)

// Bounds of a rubric.
const (
	maxCriteria = 20
	maxLevels   = 10
)

// RubricInput is the `rubric` object of an assignment's create or patch
// body; an empty criteria list removes the rubric.
type RubricInput struct {
	Criteria []struct {
		Title  string `json:"title"`
		Levels []struct {
			Title  string   `json:"title"`
			Points *float64 `json:"points"`
		} `json:"levels"`
	} `json:"criteria"`
}

// RubricMark is the level a grade picked for one criterion.
type RubricMark struct {
	CriterionID int     `json:"criterion_id"`
	LevelID     int     `json:"level_id"`
	Points      float64 `json:"points"`
}

// applyRubric is the assignment kind's Settings hook: it checks a rubric
// and puts it on the item (ids 1, 2, … in the order given). A rubric's
// highest total may not exceed the item's points when it has any.
func applyRubric(it *modules.Item, raw json.RawMessage) error {
	var in RubricInput
	if err := json.Unmarshal(raw, &in); err != nil {
		return errs.Field("rubric", "must be an object with a criteria list")
	}
	if len(in.Criteria) == 0 {
		it.Rubric = nil
		return nil
	}
	bad := map[string]string{}
	if len(in.Criteria) > maxCriteria {
		bad["rubric.criteria"] = fmt.Sprintf("at most %d criteria", maxCriteria)
	}
	r := &modules.Rubric{}
	top := 0.0
	for i, c := range in.Criteria {
		title, why := modules.ValidTitle(c.Title)
		cr := modules.Criterion{ID: i + 1, Title: title}
		if why != "" {
			bad[fmt.Sprintf("rubric.criteria[%d].title", i)] = why
		}
		if len(c.Levels) == 0 || len(c.Levels) > maxLevels {
			bad[fmt.Sprintf("rubric.criteria[%d].levels", i)] = fmt.Sprintf("must be 1 to %d levels", maxLevels)
		}
		best := 0.0
		for j, l := range c.Levels {
			title, why := modules.ValidTitle(l.Title)
			lv := modules.Level{ID: j + 1, Title: title}
			if why != "" {
				bad[fmt.Sprintf("rubric.criteria[%d].levels[%d].title", i, j)] = why
			}
			if l.Points == nil || math.IsNaN(*l.Points) || *l.Points < 0 || *l.Points > maxScore {
				bad[fmt.Sprintf("rubric.criteria[%d].levels[%d].points", i, j)] = fmt.Sprintf("must be 0 to %d", maxScore)
			} else {
				lv.Points = *l.Points
				best = max(best, lv.Points)
			}
			cr.Levels = append(cr.Levels, lv)
		}
		top += best
		r.Criteria = append(r.Criteria, cr)
	}
	if len(bad) == 0 && it.Points > 0 && top > it.Points {
		bad["rubric"] = "its highest total (" + formatFloat(top) + ") exceeds the assignment's points (" + formatFloat(it.Points) + ")"
	}
	if len(bad) > 0 {
		return errs.Validation(bad)
	}
	it.Rubric = r
	return nil
}

// rubricScore is the score of a rubric grade: the points of the level
// picked for every criterion, plus the adjustment.
func rubricScore(r *modules.Rubric, picks []RubricMark, adjustment float64) ([]RubricMark, float64, error) {
	if r == nil {
		return nil, 0, errs.Field("rubric", "this assignment has no rubric")
	}
	byCriterion := map[int]int{}
	for _, p := range picks {
		if _, dup := byCriterion[p.CriterionID]; dup {
			return nil, 0, errs.Field("rubric", fmt.Sprintf("criterion %d is picked twice", p.CriterionID))
		}
		byCriterion[p.CriterionID] = p.LevelID
	}
	marks := make([]RubricMark, 0, len(r.Criteria))
	sum := adjustment
	for _, c := range r.Criteria {
		lid, ok := byCriterion[c.ID]
		if !ok {
			return nil, 0, errs.Field("rubric", "pick a level for “"+c.Title+"”")
		}
		delete(byCriterion, c.ID)
		if lid < 1 || lid > len(c.Levels) {
			return nil, 0, errs.Field("rubric", fmt.Sprintf("“%s” has no level %d", c.Title, lid))
		}
		l := c.Levels[lid-1]
		marks = append(marks, RubricMark{CriterionID: c.ID, LevelID: l.ID, Points: l.Points})
		sum += l.Points
	}
	if len(byCriterion) > 0 {
		return nil, 0, errs.Field("rubric", "names a criterion the rubric does not have")
	}
	return marks, math.Round(sum*100) / 100, nil
}
