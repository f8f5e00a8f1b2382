// Package shim exposes the Terraform Docker provider's SDKv2 provider. It lives under the upstream
// module's import path because Go lets only that path's packages import its internal/provider.
package shim

import (
	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"
	"github.com/terraform-providers/terraform-provider-docker/internal/provider"
)

// SDKProvider returns the upstream SDKv2 provider, which holds every resource the Pulumi SDK uses.
func SDKProvider(version string) *schema.Provider { return provider.New(version)() }
