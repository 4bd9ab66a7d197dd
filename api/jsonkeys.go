package api

import (
	"encoding"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
)

// unknownKeyError names a JSON object key that is not, letter for letter,
// the json name of a field of the type it is decoded into.
type unknownKeyError struct {
	// Path is the key with the keys of its enclosing objects, dotted
	// ("policy.GRACE_SECONDS").
	Path string
}

func (e *unknownKeyError) Error() string { return "unknown field " + e.Path }

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// checkKeys reports the first key in raw (in key order, depth first) that
// does not exactly match a field of t. encoding/json matches keys without
// regard to case ({"BODY": …} fills Body), while the contract says names are
// matched exactly, and a second spelling of a field is a way around checks
// that look at the exact one. Values that are not what t expects are left
// to the decoder, which reports them with their position; so are types that
// decode themselves (json.Unmarshaler), whose keys are theirs to judge.
func checkKeys(raw []byte, t reflect.Type) *unknownKeyError {
	return walkKeys(raw, t, "")
}

func walkKeys(raw []byte, t reflect.Type, path string) *unknownKeyError {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if decodesItself(t) {
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			return nil
		}
		fields := map[string]reflect.Type{}
		jsonFields(t, fields)
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			ft, ok := fields[k]
			if !ok {
				return &unknownKeyError{Path: join(path, k)}
			}
			if e := walkKeys(obj[k], ft, join(path, k)); e != nil {
				return e
			}
		}
	case reflect.Map:
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			return nil
		}
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			if e := walkKeys(obj[k], t.Elem(), join(path, k)); e != nil {
				return e
			}
		}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return nil // bytes travel as a base64 string
		}
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return nil
		}
		for _, it := range items {
			if e := walkKeys(it, t.Elem(), path); e != nil {
				return e
			}
		}
	}
	return nil
}

func decodesItself(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	return t.Implements(jsonUnmarshaler) || p.Implements(jsonUnmarshaler) ||
		(t.Kind() != reflect.Struct && (t.Implements(textUnmarshaler) || p.Implements(textUnmarshaler)))
}

// jsonFields adds the JSON names of t's fields, as encoding/json names them
// (the tag's name, else the Go name; embedded structs without a tag lend
// their fields), with the type each decodes into.
func jsonFields(t reflect.Type, out map[string]reflect.Type) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		if f.Anonymous && name == "" {
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				inner := map[string]reflect.Type{}
				jsonFields(ft, inner)
				for k, v := range inner {
					if _, shadowed := out[k]; !shadowed {
						out[k] = v
					}
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
