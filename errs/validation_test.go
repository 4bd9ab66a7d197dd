package errs

import "testing"

// An identical request gets an identical answer: the field a validation
// error's message names does not depend on map iteration order.
func TestValidationNamesTheSameFieldEveryTime(t *testing.T) {
	fields := map[string]string{"title": "required", "body": "required", "due_at": "must be in the future", "week": "must be 1 to 52"}
	for range 200 {
		if got := Validation(fields).Message; got != "body required" {
			t.Fatalf("message = %q, want the first field by name, %q", got, "body required")
		}
	}
	if got := Validation(nil).Message; got != "invalid input" {
		t.Errorf("no fields: %q", got)
	}
}
