package cache

import "testing"

func TestMemoRemembersAndStartsOverWhenFull(t *testing.T) {
	m := NewMemo[int, string](3)
	m.Put(1, "a")
	if v, ok := m.Get(1); !ok || v != "a" {
		t.Fatalf("Get(1) = %q, %v", v, ok)
	}
	if _, ok := m.Get(2); ok {
		t.Fatal("Get of a key never put hit")
	}
	m.PutAll([]int{2, 3}, []string{"b", "c"})
	vals := make([]string, 4)
	if missed := m.GetAll([]int{1, 2, 3, 4}, vals); !missed || vals[0] != "a" || vals[1] != "b" || vals[2] != "c" || vals[3] != "" {
		t.Fatalf("GetAll = %q, missed %v", vals, missed)
	}
	if missed := m.GetAll([]int{1, 2, 3}, make([]string, 3)); missed {
		t.Fatal("GetAll of remembered keys missed")
	}
	m.Put(4, "d") // the fourth entry: starts over
	if _, ok := m.Get(1); ok {
		t.Fatal("a full memo kept its old entries")
	}
	if v, ok := m.Get(4); !ok || v != "d" {
		t.Fatalf("Get(4) after starting over = %q, %v", v, ok)
	}
	m.PutAll([]int{5, 6, 7}, []string{"e", "f", "g"}) // 1 + 3 > 3: starts over
	if _, ok := m.Get(4); ok || len(m.entries) != 3 {
		t.Fatalf("PutAll past the bound kept %d entries", len(m.entries))
	}
}
