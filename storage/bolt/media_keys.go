package bolt

import (
	"encoding/hex"

	"pacer/media"
	"pacer/storage"
)

// Keys of the media buckets (shapes in storage/schema.go).

func mediaKey(id uint64) []byte { return storage.ID(id) }

// blobUseKey is sha256(32)|media(8)|lang: one use of a blob, by a record's
// own file (lang "") or by one of its captions.
func blobUseKey(sum string, m uint64, lang string) []byte {
	k := append(blobPrefix(sum), storage.Key(m)...)
	return append(k, lang...)
}

func blobPrefix(sum string) []byte {
	raw, _ := hex.DecodeString(sum)
	return raw
}

// unattachedKey sorts the unattached list by upload time.
func unattachedKey(m media.Media) []byte {
	return storage.Key(uint64(m.CreatedAt.UnixNano()), m.ID)
}

func captionKey(m uint64, lang string) []byte { return storage.Str(storage.Key(m), lang) }

func watchKey(k media.WatchKey) []byte { return storage.Key(k.Course, k.User, k.Item) }

// usageKey names a quota total: 'c' and a course for its course files,
// 'u' and a user for their submission uploads.
func usageKey(a media.Account) []byte {
	kind := byte('c')
	if a.User {
		kind = 'u'
	}
	return append([]byte{kind}, storage.Key(a.ID)...)
}

// usageCounted is the key marking that the totals were made from the
// records once (data directories from before quotas).
const usageCounted = "counted"
