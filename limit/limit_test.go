package limit_test

import (
	"testing"
	"time"

	"pacer/limit"
	"pacer/limit/limittest"
)

func TestWindow(t *testing.T) {
	limittest.Run(t, limittest.Suite{Open: func(_ *testing.T, now func() time.Time) limit.Factory { return limit.Memory(now) }})
}
