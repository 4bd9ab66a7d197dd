package storetest

import (
	"slices"
	"testing"

	"pacer/discussion"
)

// match collects every post Match visits, with the thread it gives.
func match(t *testing.T, s discussion.Store, course uint64, terms []string, before uint64) (posts, threads []uint64, seeks int) {
	t.Helper()
	seeks, err := s.Match(bg, course, terms, before, func(thread, post uint64) (bool, error) {
		posts, threads = append(posts, post), append(threads, thread)
		return false, nil
	})
	must(t, err)
	return posts, threads, seeks
}

func search(t *testing.T, open Open) {
	s, _ := open(t)
	var ps []discussion.Posting
	words := map[uint64][]string{
		1: {"alpha", "beta"},
		2: {"alpha"},
		3: {"alpha", "beta", "gamma"},
		4: {"beta"},
		5: {"alpha", "beta"},
	}
	for post, terms := range words {
		for _, term := range terms {
			ps = append(ps, discussion.Posting{Course: 1, Term: term, Post: post, Thread: 100 + post})
		}
	}
	// Another course, and a longer word starting with a query word.
	ps = append(ps, discussion.Posting{Course: 2, Term: "alpha", Post: 6, Thread: 106},
		discussion.Posting{Course: 1, Term: "alphabet", Post: 7, Thread: 107})
	must(t, s.AddPostings(bg, ps))
	posts, threads, seeks := match(t, s, 1, []string{"alpha", "beta"}, 0)
	if !slices.Equal(posts, []uint64{5, 3, 1}) {
		t.Errorf("alpha beta matched %v, want 5, 3, 1 (newest first)", posts)
	}
	if !slices.Equal(threads, []uint64{105, 103, 101}) {
		t.Errorf("threads %v, want each post's thread", threads)
	}
	if seeks == 0 {
		t.Error("Match counted no seeks")
	}
	if posts, _, _ := match(t, s, 1, []string{"alpha"}, 0); !slices.Equal(posts, []uint64{5, 3, 2, 1}) {
		t.Errorf("alpha matched %v, want 5, 3, 2, 1", posts)
	}
	if posts, _, _ := match(t, s, 1, []string{"alpha", "beta"}, 3); !slices.Equal(posts, []uint64{1}) {
		t.Errorf("alpha beta below post 3 matched %v, want 1", posts)
	}
	if posts, _, _ := match(t, s, 1, []string{"delta"}, 0); len(posts) != 0 {
		t.Errorf("an unknown word matched %v", posts)
	}
	var visited []uint64
	_, err := s.Match(bg, 1, []string{"beta"}, 0, func(thread, post uint64) (bool, error) {
		visited = append(visited, post)
		return len(visited) == 2, nil
	})
	must(t, err)
	if !slices.Equal(visited, []uint64{5, 4}) {
		t.Errorf("a visit that stops after two saw %v", visited)
	}
	must(t, s.RemovePostings(bg, []discussion.Posting{{Course: 1, Term: "alpha", Post: 3}, {Course: 1, Term: "alpha", Post: 42}}))
	if posts, _, _ := match(t, s, 1, []string{"alpha", "beta"}, 0); !slices.Equal(posts, []uint64{5, 1}) {
		t.Errorf("after removing a posting alpha beta matched %v, want 5, 1", posts)
	}
}
