package auth

import (
	"context"
	"errors"

	"pacer/audit"
	"pacer/errs"
)

// Who may create courses (SiteSettings.CourseCreation).
const (
	CreationAnyone   = "anyone"
	CreationCreators = "creators"
)

// SiteSettings are the settings administrators change for the whole site.
// A site that never saved them has the defaults (DefaultSiteSettings).
type SiteSettings struct {
	CourseCreation string `json:"course_creation"`
}

// DefaultSiteSettings are the settings of a new site: anyone signed in may
// create a course, as before the setting existed.
func DefaultSiteSettings() SiteSettings { return SiteSettings{CourseCreation: CreationAnyone} }

// withDefaults fills what settings saved before a setting existed lack.
func withDefaults(st SiteSettings) SiteSettings {
	if st.CourseCreation == "" {
		st.CourseCreation = CreationAnyone
	}
	return st
}

// siteSettings reads the site settings in the transaction ctx carries: the
// defaults when none were ever saved.
func (s *Service) siteSettings(ctx context.Context) (SiteSettings, error) {
	st, err := s.store.SiteSettings(ctx)
	if errors.Is(err, ErrNotFound) {
		return DefaultSiteSettings(), nil
	}
	if err != nil {
		return DefaultSiteSettings(), err
	}
	return withDefaults(st), nil
}

// SiteSettings reads the site settings.
func (s *Service) SiteSettings(ctx context.Context) (SiteSettings, error) {
	var st SiteSettings
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		var err error
		st, err = s.siteSettings(ctx)
		return err
	})
	return st, errs.Wrap(err, "read site settings")
}

// SettingsInput is the body of PATCH /admin/settings.
type SettingsInput struct {
	CourseCreation *string `json:"course_creation"`
}

// UpdateSiteSettings changes the site settings and audits the change in
// the same transaction.
func (s *Service) UpdateSiteSettings(ctx context.Context, actor uint64, in SettingsInput, ip string) (SiteSettings, error) {
	if in.CourseCreation == nil {
		return SiteSettings{}, errs.Field("course_creation", "required")
	}
	switch *in.CourseCreation {
	case CreationAnyone, CreationCreators:
	default:
		return SiteSettings{}, errs.Field("course_creation", "must be anyone or creators")
	}
	var st SiteSettings
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		var err error
		if st, err = s.siteSettings(ctx); err != nil {
			return err
		}
		before := st.CourseCreation
		st.CourseCreation = *in.CourseCreation
		if err := s.store.PutSiteSettings(ctx, st); err != nil {
			return err
		}
		return s.Audit.Record(ctx, audit.Entry{ActorID: actor, Action: "settings_changed",
			Detail: "course_creation " + before + " -> " + st.CourseCreation, IP: ip})
	})
	return st, errs.Wrap(err, "update site settings")
}

// mayCreate is the rule of MayCreateCourses: anyone when course_creation
// is "anyone", else administrators and users granted can_create_courses.
// The account is read only when the rule needs it.
func mayCreate(st SiteSettings, user func() (User, error)) (bool, error) {
	if st.CourseCreation == CreationAnyone {
		return true, nil
	}
	u, err := user()
	if err != nil {
		return false, err
	}
	return u.IsAdmin || u.CanCreateCourses, nil
}

// MayCreateCourses reports whether a user may create a course under the
// site settings (see mayCreate).
func (s *Service) MayCreateCourses(ctx context.Context, userID uint64) (bool, error) {
	var ok bool
	err := s.tx.Read(ctx, func(ctx context.Context) error {
		st, err := s.siteSettings(ctx)
		if err != nil {
			return err
		}
		ok, err = mayCreate(st, func() (User, error) { return s.user(ctx, userID) })
		return err
	})
	return ok, errs.Wrap(err, "may create courses")
}

// SetCanCreateCourses grants or withdraws a user's right to create courses
// when the site restricts it.
func (s *Service) SetCanCreateCourses(ctx context.Context, userID uint64, can bool) (User, error) {
	var u User
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		var err error
		u, err = s.setCanCreateCourses(ctx, userID, can)
		return err
	})
	return u, errs.Wrap(err, "set course creation grant")
}

func (s *Service) setCanCreateCourses(ctx context.Context, userID uint64, can bool) (User, error) {
	if err := s.bumpAccount(ctx, userID); err != nil {
		return User{}, err
	}
	u, err := s.user(ctx, userID)
	if err != nil {
		return u, err
	}
	u.CanCreateCourses = can
	return u, s.store.PutUser(ctx, u)
}

// AdminUpdate is what an administrator changes of an account; nil is
// unchanged, and at least one must be given.
type AdminUpdate struct {
	Disabled         *bool
	CanCreateCourses *bool
}

// AdminUpdate applies an administrator's change to an account and audits
// each part of it. Administrators cannot disable their own account (409).
func (s *Service) AdminUpdate(ctx context.Context, actor, userID uint64, in AdminUpdate, ip string) (User, error) {
	if in.Disabled == nil && in.CanCreateCourses == nil {
		return User{}, errs.Validation(map[string]string{"disabled": "disabled or can_create_courses is required"})
	}
	if in.Disabled != nil && *in.Disabled && userID == actor {
		return User{}, errs.ConflictCode("conflict", "you cannot disable your own account")
	}
	// Each change commits with its audit entry or not at all.
	var u User
	err := s.tx.Write(ctx, func(ctx context.Context) error {
		var err error
		if in.Disabled != nil {
			if u, err = s.setDisabled(ctx, userID, *in.Disabled); err != nil {
				return err
			}
			action := "user_enabled"
			if *in.Disabled {
				action = "user_disabled"
			}
			if err := s.Audit.Record(ctx, audit.Entry{ActorID: actor, Action: action, TargetID: userID, IP: ip}); err != nil {
				return err
			}
		}
		if in.CanCreateCourses != nil {
			if u, err = s.setCanCreateCourses(ctx, userID, *in.CanCreateCourses); err != nil {
				return err
			}
			action := "course_creation_revoked"
			if *in.CanCreateCourses {
				action = "course_creation_granted"
			}
			if err := s.Audit.Record(ctx, audit.Entry{ActorID: actor, Action: action, TargetID: userID, IP: ip}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return u, errs.Wrap(err, "update user")
	}
	return u, nil
}
