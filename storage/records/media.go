package records

import "pacer/media"

// MediaWatch is one learner's watch state on one lecture item: bbolt keeps
// the state under its key (course|user|item), which media.WatchState does
// not carry.
type MediaWatch struct {
	Key   media.WatchKey
	State media.WatchState
}

// MediaUsage is one quota total in bytes: bbolt keeps the number under
// the account's key.
type MediaUsage struct {
	Account media.Account
	Bytes   int64
}

// MediaUsageCounted is the mark that the quota totals were once counted
// from the records (media.UsageStore.CountedUsage). It is exported only
// when set, so that a data directory from before quotas is still counted
// after the copy.
type MediaUsageCounted struct{}
