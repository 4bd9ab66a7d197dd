package durability

// RecordReply, RecordSubmission and RecordWatch put writes in a ledger by
// hand, so that the checker's own test can claim writes the server never
// saw and see them reported.
func (l *Ledger) RecordReply(marker string, o Outcome) {
	l.sendReply(marker)
	l.answerReply(marker, o)
}

func (l *Ledger) RecordSubmission(student int, body string, o Outcome) {
	l.answerSubmission(student, l.sendSubmission(student, body), o)
}

func (l *Ledger) RecordWatch(student, from, to int, o Outcome) {
	l.answerWatch(student, l.sendWatch(student, from, to), o, false, float64(to-from))
}
