// Package shim exposes the Terraform random provider (plugin framework). It lives under the upstream
// module's import path because Go lets only that path's packages import its internal/provider.
package shim

import (
	"github.com/hashicorp/terraform-plugin-framework/provider"
	upstream "github.com/terraform-providers/terraform-provider-random/internal/provider"
)

// FrameworkProvider returns the upstream provider.
func FrameworkProvider() provider.Provider { return upstream.New() }
