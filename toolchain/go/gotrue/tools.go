//go:build tools

// Package tools pins the real GoTrue (supabase/auth) for the auth test image. The module proxy serves
// no build of the release tags (they lack the /v2 suffix Go needs), only some commits: this is the
// served commit nearest to the pinned release (see docs/toolchain.md).
package tools

import _ "github.com/supabase/auth"
