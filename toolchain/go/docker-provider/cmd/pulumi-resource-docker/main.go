// Command pulumi-resource-docker is the resource plugin the engine starts for docker:* resources.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"

	"supabase-fleet/toolchain/docker-provider/providerinfo"
)

// Both files are written by pulumi-tfgen-docker during the toolchain build (not committed).
//
//go:embed schema.json
var schema []byte

//go:embed bridge-metadata.json
var metadata []byte

func main() {
	tfbridge.Main("docker", providerinfo.Version, providerinfo.Provider(metadata), schema)
}
