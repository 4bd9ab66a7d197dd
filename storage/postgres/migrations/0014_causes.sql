-- Each event a periodic job tells of is told once, whoever tells it: two
-- replicas running one job at the same moment store one notification
-- (package notify, Notification.Cause). NULL for notifications of one
-- request's work.
ALTER TABLE notifications ADD COLUMN cause text;
CREATE UNIQUE INDEX notifications_cause ON notifications (cause) WHERE cause IS NOT NULL;

-- The same for the mail outbox: a mail of a cause already queued (the
-- notification it comes from, a user's batch) is not queued again. A
-- pruned mail's cause is free again; its notification's is not.
ALTER TABLE mail_outbox ADD COLUMN cause text;
CREATE UNIQUE INDEX mail_outbox_cause ON mail_outbox (cause) WHERE cause IS NOT NULL;
