package deadlines

import (
	"context"
	"time"
)

// DeliverIfDue is what each run of the scheduled delivery of submissions
// does.
func (s *Service) DeliverIfDue() error { return s.deliverIfDue(context.Background()) }

// Deliveries counts the transactions that have delivered queued
// submissions.
func (s *Service) Deliveries() int64 { return s.queue.Deliveries() }

// Queued counts the submissions whose staff notifications wait to be
// delivered.
func (s *Service) Queued() (int, error) { return s.store.CountQueuedSubmitted(context.Background()) }

// DeliverEvery is how long queued submissions wait at most when nobody
// reads notifications.
func (s *Service) DeliverEvery() time.Duration { return s.deliverEvery }
