package records

import "pacer/auth"

// RefreshToken is a refresh token as the auth store keeps it: the record
// under the SHA-256 of the token, which the record itself does not carry.
// Copying the hash with it is what lets a token issued before the copy
// rotate after it, and a used one still be recognised as a replay.
type RefreshToken struct {
	Hash  []byte
	Token auth.RefreshToken
}
