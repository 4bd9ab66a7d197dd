// Package records holds the engine-neutral shapes of the few records that
// have no type of their own in a domain package (a value kept under a key
// the domain type does not carry), so that `pacer migrate` can carry them
// from one engine to the other: the bbolt engine exports them and the
// PostgreSQL engine imports them. Records that have a domain type travel
// as that type.
package records
