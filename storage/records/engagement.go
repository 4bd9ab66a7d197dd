package records

// EngagementState is a learner's ladder state as the engagement store
// keeps it: the bytes the package encoded, under the course and user they
// belong to (which the bytes do not carry).
type EngagementState struct {
	Course, User uint64
	State        []byte
}
