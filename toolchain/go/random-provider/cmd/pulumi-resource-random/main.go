// Command pulumi-resource-random is the resource plugin the engine starts for random:* resources.
package main

import (
	"context"
	_ "embed"

	pf "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"

	"supabase-fleet/toolchain/random-provider/providerinfo"
)

// Both files are written by pulumi-tfgen-random during the toolchain build (not committed).
//
//go:embed schema.json
var schema []byte

//go:embed bridge-metadata.json
var metadata []byte

func main() {
	pf.Main(context.Background(), "random", providerinfo.Provider(metadata), pf.ProviderMetadata{PackageSchema: schema})
}
