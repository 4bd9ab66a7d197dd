package postgres

import (
	"context"
	"encoding/json"
	"time"

	"pacer/notify"
)

// Preferences live in email_prefs, one row per user who ever chose.

// Prefs implements notify.Store.
func (s *Notify) Prefs(ctx context.Context, user uint64) (notify.Prefs, error) {
	var (
		p       notify.Prefs
		chosen  []byte
		updated *time.Time
	)
	err := s.db.q(ctx).QueryRow(ctx, `SELECT chosen, updated_at FROM email_prefs WHERE user_id = $1`,
		int64(user)).Scan(&chosen, &updated)
	if noRows(err) {
		return notify.Prefs{}, nil
	}
	if err != nil {
		return notify.Prefs{}, err
	}
	// Read as raw JSON so that a NULL (a nil Chosen was stored) reads back
	// as a nil map, whatever the driver would make of NULL into a map.
	if chosen != nil {
		if err := json.Unmarshal(chosen, &p.Chosen); err != nil {
			return notify.Prefs{}, err
		}
	}
	p.UpdatedAt = notifyUTC(updated)
	return p, nil
}

// SetPrefs implements notify.Store.
func (s *Notify) SetPrefs(ctx context.Context, user uint64, p notify.Prefs) error {
	_, err := s.db.q(ctx).Exec(ctx, `INSERT INTO email_prefs (user_id, chosen, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (user_id) DO UPDATE SET chosen = excluded.chosen, updated_at = excluded.updated_at`,
		int64(user), p.Chosen, notifyTime(p.UpdatedAt))
	return err
}
