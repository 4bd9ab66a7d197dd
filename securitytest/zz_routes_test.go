package securitytest_test

import (
	"fmt"
	"sort"
	"testing"

	"pacer/pacertest"
)

func TestZZPrintRoutes(t *testing.T) {
	env := pacertest.New(t)
	var out []string
	for _, r := range env.Server.App.GetRoutes(true) {
		if r.Method == "HEAD" {
			continue
		}
		out = append(out, fmt.Sprintf("%-7s %s", r.Method, r.Path))
	}
	sort.Strings(out)
	for _, s := range out {
		fmt.Println(s)
	}
}
