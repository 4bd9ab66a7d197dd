package bolt

import "pacer/storage"

// newest walks the ids under prefix of an index whose keys end in an id,
// newest first: only ids below before (every one when before is 0). keep
// says whether an id counts and, while the page has room, collects it;
// once limit have counted, it is asked once more per id without room, and
// the first that counts sets more and ends the walk. It is the keyset page
// every "newest first" list of this engine reads.
func newest(tx *storage.Tx, index storage.Bucket, prefix []byte, before uint64, limit int, keep func(id uint64, room bool) (bool, error)) (more bool, err error) {
	kept := 0
	err = tx.EachReverse(index, prefix, func(k, _ []byte) error {
		id := storage.Part(k, len(k)/8-1)
		if before != 0 && id >= before {
			return nil
		}
		room := kept < limit
		ok, err := keep(id, room)
		switch {
		case err != nil:
			return err
		case ok && !room:
			more = true
			return storage.Stop
		case ok:
			kept++
		}
		return nil
	})
	return more, err
}
