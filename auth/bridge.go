package auth

import (
	"errors"

	"pacer/errs"
	"pacer/storage"
)

// The bridges: packages not yet behind a store read accounts and the site
// settings inside their own bbolt transaction, with these functions. They
// are free functions, which no store value reaches (auth cannot import the
// engine, which imports auth), so they read the engine's keys themselves,
// the same keys as storage/bolt.Auth; storage/bolt's auth tests check that
// the two agree. They go when their last caller holds a context instead
// of a *storage.Tx.

// siteSettingsKey names the site settings record in storage.Settings.
var siteSettingsKey = []byte("site_settings")

// ByEmailTx returns the id of the account with an e-mail address, or 0.
func ByEmailTx(tx *storage.Tx, email string) uint64 {
	raw := tx.GetRaw(storage.UsersByEmail, storage.EmailKey(email))
	if len(raw) != 8 {
		return 0
	}
	return storage.Part(raw, 0)
}

// LookupTx reads a user inside a caller's transaction.
func LookupTx(tx *storage.Tx, id uint64) (User, error) {
	var u User
	if err := tx.Get(storage.Users, storage.ID(id), &u); err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return u, errs.NotFoundf("user")
		}
		return u, err
	}
	return u, nil
}

// SiteSettingsTx reads the site settings inside a caller's transaction.
func SiteSettingsTx(tx *storage.Tx) (SiteSettings, error) {
	st := DefaultSiteSettings()
	err := tx.Get(storage.Settings, siteSettingsKey, &st)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return st, err
	}
	return withDefaults(st), nil
}

// MayCreateCoursesTx reports whether a user may create a course under the
// site settings: anyone when course_creation is "anyone", else
// administrators and users granted can_create_courses.
func MayCreateCoursesTx(tx *storage.Tx, userID uint64) (bool, error) {
	st, err := SiteSettingsTx(tx)
	if err != nil {
		return false, err
	}
	return mayCreate(st, func() (User, error) { return LookupTx(tx, userID) })
}
