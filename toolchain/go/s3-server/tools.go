//go:build tools

// Package tools pins the S3-compatible server the backup tests store into: the Versity S3 Gateway
// with its POSIX backend. It checks SigV4 signatures and payload hashes as S3 does, so a signing
// or upload bug fails the tests instead of passing against a server that accepts anything.
package tools

import _ "github.com/versity/versitygw/cmd/versitygw"
