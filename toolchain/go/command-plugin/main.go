// Command pulumi-resource-command is a small resource plugin for the one resource of @pulumi/command
// this project declares, command:local:Command, written for the tests because the module proxy here
// serves no build of pulumi-command's provider. It follows that provider's documented behaviour: run
// `create` on create, `update` (else `create`) on update and `delete` on delete, through the given
// interpreter, with the given environment added to the plugin's own, and keep stdout and stderr as
// outputs; a non-zero exit fails the step with what the command printed.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

var version = "0.0.0"

const localCommand = "command:local:Command"

func main() {
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(server *grpc.Server) error {
			pulumirpc.RegisterResourceProviderServer(server, &provider{})
			return nil
		},
	})
	if err != nil {
		cmdutil.ExitError(err.Error())
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		cmdutil.ExitError(err.Error())
	}
}

type provider struct {
	pulumirpc.UnimplementedResourceProviderServer
}

var marshalling = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, KeepResources: true}

func unmarshal(s *structpb.Struct) (resource.PropertyMap, error) {
	return plugin.UnmarshalProperties(s, marshalling)
}

func marshal(m resource.PropertyMap) (*structpb.Struct, error) {
	return plugin.MarshalProperties(m, marshalling)
}

func (p *provider) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func (p *provider) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	return &pulumirpc.GetSchemaResponse{Schema: fmt.Sprintf(`{"name":"command","version":%q}`, version)}, nil
}

func (p *provider) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (p *provider) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

func (p *provider) Configure(context.Context, *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true, AcceptResources: true}, nil
}

func (p *provider) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) { return &emptypb.Empty{}, nil }

func checkType(urn string) error {
	if t := string(resource.URN(urn).Type()); t != localCommand {
		return fmt.Errorf("this plugin serves only %s, not %s", localCommand, t)
	}
	return nil
}

func (p *provider) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	if err := checkType(req.GetUrn()); err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	var failures []*pulumirpc.CheckFailure
	if v, ok := news["interpreter"]; ok && v.IsArray() && len(v.ArrayValue()) == 0 {
		failures = append(failures, &pulumirpc.CheckFailure{Property: "interpreter", Reason: "interpreter must name a program"})
	}
	return &pulumirpc.CheckResponse{Inputs: req.GetNews(), Failures: failures}, nil
}

// The inputs a Command was last run with are kept in its state, beside stdout and stderr.
var outputOnly = map[resource.PropertyKey]bool{"stdout": true, "stderr": true}

func inputsOf(state resource.PropertyMap) resource.PropertyMap {
	inputs := resource.PropertyMap{}
	for k, v := range state {
		if !outputOnly[k] {
			inputs[k] = v
		}
	}
	return inputs
}

func (p *provider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds, err := unmarshal(req.GetOlds())
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	diff := inputsOf(olds).Diff(news)
	if diff == nil || !diff.AnyChanges() {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
	}
	var changed, replaces []string
	for _, k := range diff.ChangedKeys() {
		changed = append(changed, string(k))
		if k == "triggers" {
			replaces = append(replaces, string(k))
		}
	}
	sort.Strings(changed)
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_SOME, Diffs: changed, Replaces: replaces, DeleteBeforeReplace: false}, nil
}

func text(m resource.PropertyMap, key resource.PropertyKey) string {
	v, ok := m[key]
	if !ok {
		return ""
	}
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	if v.IsString() {
		return v.StringValue()
	}
	return ""
}

// run executes script with the resource's interpreter, dir, stdin and environment.
func run(inputs resource.PropertyMap, script string) (string, string, error) {
	interpreter := []string{"/bin/sh", "-c"}
	if v, ok := inputs["interpreter"]; ok && v.IsArray() && len(v.ArrayValue()) > 0 {
		interpreter = nil
		for _, e := range v.ArrayValue() {
			for e.IsSecret() {
				e = e.SecretValue().Element
			}
			interpreter = append(interpreter, e.StringValue())
		}
	}
	cmd := exec.Command(interpreter[0], append(interpreter[1:], script)...)
	cmd.Env = os.Environ()
	if env, ok := inputs["environment"]; ok {
		for env.IsSecret() {
			env = env.SecretValue().Element
		}
		if env.IsObject() {
			for k := range env.ObjectValue() {
				cmd.Env = append(cmd.Env, string(k)+"="+text(env.ObjectValue(), k))
			}
		}
	}
	cmd.Dir = text(inputs, "dir")
	cmd.Stdin = strings.NewReader(text(inputs, "stdin"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	out, errOut := strings.TrimSuffix(stdout.String(), "\n"), strings.TrimSuffix(stderr.String(), "\n")
	if err != nil {
		return out, errOut, fmt.Errorf("%v: running %q:\nStdout:\n%s\nStderr:\n%s", err, script, out, errOut)
	}
	return out, errOut, nil
}

func withOutputs(inputs resource.PropertyMap, stdout, stderr resource.PropertyValue) resource.PropertyMap {
	state := inputs.Copy()
	state["stdout"], state["stderr"] = stdout, stderr
	return state
}

func (p *provider) Create(_ context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	inputs, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	if req.GetPreview() {
		unknown := resource.MakeComputed(resource.NewStringProperty(""))
		props, err := marshal(withOutputs(inputs, unknown, unknown))
		return &pulumirpc.CreateResponse{Properties: props}, err
	}
	id := make([]byte, 8)
	if _, err := rand.Read(id); err != nil {
		return nil, err
	}
	stdout, stderr, err := run(inputs, text(inputs, "create"))
	if err != nil {
		return nil, err
	}
	props, err := marshal(withOutputs(inputs, resource.NewStringProperty(stdout), resource.NewStringProperty(stderr)))
	return &pulumirpc.CreateResponse{Id: hex.EncodeToString(id), Properties: props}, err
}

func (p *provider) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	// A command has nothing to look at outside its own state: reading returns it unchanged.
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
}

func (p *provider) Update(_ context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	olds, err := unmarshal(req.GetOlds())
	if err != nil {
		return nil, err
	}
	inputs, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	script := text(inputs, "update")
	if script == "" {
		script = text(inputs, "create")
	}
	if req.GetPreview() || script == "" {
		props, err := marshal(withOutputs(inputs, olds["stdout"], olds["stderr"]))
		return &pulumirpc.UpdateResponse{Properties: props}, err
	}
	stdout, stderr, err := run(inputs, script)
	if err != nil {
		return nil, err
	}
	props, err := marshal(withOutputs(inputs, resource.NewStringProperty(stdout), resource.NewStringProperty(stderr)))
	return &pulumirpc.UpdateResponse{Properties: props}, err
}

func (p *provider) Delete(_ context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	state, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	if script := text(state, "delete"); script != "" {
		if _, _, err := run(state, script); err != nil {
			return nil, err
		}
	}
	return &emptypb.Empty{}, nil
}
