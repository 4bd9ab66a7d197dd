package records

import "pacer/modules"

// Progress is one learner's progress on one item. The bbolt engine keeps
// modules.ItemProgress under course|user|item, and the value alone does
// not say whose progress on what it is.
type Progress struct {
	CourseID uint64
	UserID   uint64
	ItemID   uint64
	Progress modules.ItemProgress
}
