// Package providerinfo maps the Terraform random provider onto the tokens the @pulumi/random npm SDK
// pinned in package.json sends (random_password -> random:index/randomPassword:RandomPassword).
package providerinfo

import (
	pf "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge/tokens"
	"github.com/terraform-providers/terraform-provider-random/shim"
)

// Version is stamped at build time with the version the npm SDK asks the engine for.
var Version = "0.0.0"

// Provider is the bridge description of the plugin.
func Provider(metadata []byte) tfbridge.ProviderInfo {
	info := tfbridge.ProviderInfo{
		P:                           pf.ShimProvider(shim.FrameworkProvider()),
		Name:                        "random",
		Version:                     Version,
		EnableAccurateBridgePreview: true,
	}
	if metadata == nil {
		metadata = []byte("{}") // tfgen starts from empty metadata and writes bridge-metadata.json
	}
	info.MetadataInfo = tfbridge.NewProviderMetadata(metadata)
	prefixed := func(module, name string) (string, error) { return tokens.MakeStandard("random")(module, "Random"+name) }
	info.MustComputeTokens(tokens.SingleModule("random_", "index", prefixed))
	return info
}
