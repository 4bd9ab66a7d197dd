package bolt

import (
	"encoding/binary"

	"pacer/discussion"
	"pacer/storage"
)

// The composite keys and packed values of the discussion buckets, built
// and parsed only here. Their shapes are listed with the buckets in
// storage/schema.go.

// threadOrderKey places a thread in its board's list: pinned threads first,
// then the most recent activity first. Flipping the bits of the last post id
// makes ascending key order newest first.
func threadOrderKey(board uint64, pinned bool, lastPost, thread uint64) []byte {
	unpinned := uint64(1)
	if pinned {
		unpinned = 0
	}
	return storage.Key(board, unpinned, ^lastPost, thread)
}

// threadKey is threadOrderKey of a thread record.
func threadKey(t discussion.ThreadRecord) []byte {
	return threadOrderKey(t.BoardID, t.Pinned, t.LastPostID, t.ID)
}

// postEntry is the value of a thread|post index entry: enough to count
// unread posts and apply Q&A visibility without decoding the post.
func postEntry(author uint64, deleted bool) []byte {
	v := make([]byte, 9)
	binary.BigEndian.PutUint64(v, author)
	if deleted {
		v[8] = 1
	}
	return v
}

// parsePostEntry reverses postEntry.
func parsePostEntry(v []byte) (author uint64, deleted bool) {
	if len(v) < 9 {
		return 0, false
	}
	return binary.BigEndian.Uint64(v), v[8] == 1
}

// termPrefix is the prefix of every posting of a term in a course. Terms are
// made of letters, marks and digits, so the 0x00 separator never occurs in
// one and a term's postings never mix with those of a longer term.
func termPrefix(course uint64, term string) []byte {
	b := make([]byte, 0, 8+len(term)+1+8)
	b = append(b, storage.Key(course)...)
	b = append(b, term...)
	return append(b, 0)
}

// termKey is one posting. The post id is inverted so that a forward scan
// meets the newest posts first.
func termKey(course uint64, term string, post uint64) []byte {
	return append(termPrefix(course, term), storage.Key(^post)...)
}

// readU64 reads an 8-byte value (read marks, report ids); a missing or
// short value is 0.
func readU64(v []byte) uint64 { return storage.Part(v, 0) }

// The state byte of a subscription entry.
const (
	subByteOff      = 0
	subByteOn       = 1
	subByteFollowed = 2
)

// subEntry is the value of a thread|user subscription: its state byte,
// then, while the subscriber has one, the id of their reply notification
// about the thread, so that further replies do not pile up notifications
// they have not read yet.
func subEntry(sub discussion.Subscription) []byte {
	v := make([]byte, 1, 9)
	switch sub.State {
	case discussion.SubOn:
		v[0] = subByteOn
	case discussion.SubFollowed:
		v[0] = subByteFollowed
	}
	if sub.Notification != 0 {
		v = binary.BigEndian.AppendUint64(v, sub.Notification)
	}
	return v
}

// parseSubEntry reverses subEntry; an entry written before notifications
// were remembered is one byte long, and no entry is SubNone.
func parseSubEntry(v []byte) discussion.Subscription {
	if len(v) == 0 {
		return discussion.Subscription{}
	}
	var sub discussion.Subscription
	switch v[0] {
	case subByteOff:
		sub.State = discussion.SubOff
	case subByteOn:
		sub.State = discussion.SubOn
	case subByteFollowed:
		sub.State = discussion.SubFollowed
	default:
		// An unknown state counts as neither subscribed nor followed.
		sub.State = discussion.SubOff
	}
	if len(v) >= 9 {
		sub.Notification = binary.BigEndian.Uint64(v[1:9])
	}
	return sub
}

// reportKey places a report in its course's queue: open ones first, each
// group oldest first.
func reportKey(course uint64, resolved bool, id uint64) []byte {
	group := uint64(0)
	if resolved {
		group = 1
	}
	return storage.Key(course, group, id)
}

// reportKeyOf is reportKey of a report record.
func reportKeyOf(r discussion.ReportRecord) []byte {
	return reportKey(r.CourseID, r.ResolvedAt != nil, r.ID)
}
