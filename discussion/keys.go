package discussion

import (
	"encoding/binary"

	"pacer/storage"
)

// The composite keys of the discussion buckets, built and parsed only here.
// Their shapes are listed with the buckets in storage/schema.go.

// threadOrderKey places a thread in its board's list: pinned threads first,
// then the most recent activity first. Flipping the bits of the last post id
// makes ascending key order newest first.
func threadOrderKey(t threadRec) []byte {
	unpinned := uint64(1)
	if t.Pinned {
		unpinned = 0
	}
	return storage.Key(t.BoardID, unpinned, ^t.LastPostID, t.ID)
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

// postingPost reads the post id back from a posting key of a known prefix.
func postingPost(k []byte, prefixLen int) uint64 {
	return ^storage.Part(k[prefixLen:], 0)
}

// u64 is the 8-byte value form of a number (read states, report ids).
func u64(v uint64) []byte { return storage.ID(v) }

// readU64 reverses u64; a missing or short value is 0.
func readU64(v []byte) uint64 { return storage.Part(v, 0) }

// subEntry is the value of a thread|user subscription: 1 (subscribed) or 0
// (opted out), then, while the subscriber has one, the id of their reply
// notification about the thread, so that further replies do not pile up
// notifications they have not read yet.
func subEntry(on bool, notification uint64) []byte {
	v := make([]byte, 1, 9)
	if on {
		v[0] = 1
	}
	if notification != 0 {
		v = binary.BigEndian.AppendUint64(v, notification)
	}
	return v
}

// parseSubEntry reverses subEntry; an entry written before notifications
// were remembered is one byte long.
func parseSubEntry(v []byte) (on bool, notification uint64) {
	if len(v) == 0 {
		return false, 0
	}
	if len(v) >= 9 {
		notification = binary.BigEndian.Uint64(v[1:9])
	}
	return v[0] == 1, notification
}
