// Command pulumi-tfgen-docker writes the plugin's schema.json and bridge-metadata.json.
package main

import (
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfgen"

	"supabase-fleet/toolchain/docker-provider/providerinfo"
)

func main() {
	tfgen.Main("docker", providerinfo.Version, providerinfo.Provider(nil))
}
