// Command pulumi-tfgen-random writes the plugin's schema.json and bridge-metadata.json.
package main

import (
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfgen"

	"supabase-fleet/toolchain/random-provider/providerinfo"
)

func main() {
	tfgen.Main("random", providerinfo.Provider(nil))
}
