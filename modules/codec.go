package modules

import "encoding/json"

// jsonDecode decodes a stored record handed to an Each callback.
func jsonDecode(raw []byte, v any) error { return json.Unmarshal(raw, v) }
