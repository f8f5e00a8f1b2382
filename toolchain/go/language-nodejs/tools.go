//go:build tools

// Package tools pins the Node.js language host. Its module has no release tags and the module proxy
// serves only some of its commits: this is the newest one it serves (see docs/toolchain.md).
package tools

import _ "github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3"
