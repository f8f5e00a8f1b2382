// Command envoy-check validates a rendered Envoy static configuration the way `envoy --mode validate`
// checks its protos, without an Envoy binary: the bootstrap and its file-based CDS/LDS files are
// parsed into go-control-plane's generated types (unknown fields and unknown @type fail, as they do
// in Envoy), every message runs its protoc-gen-validate rules, and the cross-checks Envoy makes when
// it loads the config (route clusters exist, names are unique, the router is the last HTTP filter)
// are repeated here.
//
// Usage: envoy-check [--root DIR] <bootstrap.yaml>
//
// --root DIR reads a path named inside the config (/etc/envoy/cds.yaml) as DIR/etc/envoy/cds.yaml, so
// a config rendered into a scratch folder is checked with the paths it will have in the container.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	routerv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/anypb"
	"sigs.k8s.io/yaml"

	// The extensions our configs name in typed_config. Importing a package registers its messages
	// with protoregistry.GlobalTypes, which is what protojson resolves an "@type" against: a type
	// not imported here fails as "unable to resolve", the way Envoy fails on an extension it was not
	// built with. Add a package here when the renderer starts using a new extension.
	_ "github.com/envoyproxy/go-control-plane/envoy/config/rbac/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/access_loggers/file/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/access_loggers/stream/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/basic_auth/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/cors/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/lua/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/rbac/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/formatter/req_without_query/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/resource_monitors/downstream_connections/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/upstreams/http/v3"
)

const usage = "usage: envoy-check [--root DIR] <bootstrap.yaml>"

// checker gathers every error of a run (one line each) and what the cross-checks need across files:
// CDS clusters are routed to from LDS listeners, so nothing is judged until every file is read.
type checker struct {
	root       string
	errs       []string
	clusters   map[string]string // name -> "file: path" of its first definition
	listeners  map[string]string // named ones only; nListeners counts all
	nListeners int
	addresses  map[string]string // "TCP 0.0.0.0:8000" -> the listener bound to it
	refs       []clusterRef
	routes     int
	unread     bool // a file failed to parse: its clusters are unknown, so routes are not judged
}

// clusterRef is one cluster name a route points at, with where it was written, for the message.
type clusterRef struct{ where, kind, name string }

func main() {
	c := &checker{clusters: map[string]string{}, listeners: map[string]string{}, addresses: map[string]string{}}
	var bootstrap string
	args := os.Args[1:]
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-h" || a == "--help":
			fmt.Println(usage)
			return
		case a == "--root" && i+1 < len(args):
			i++
			c.root = args[i]
		case strings.HasPrefix(a, "--root="):
			c.root = strings.TrimPrefix(a, "--root=")
		case strings.HasPrefix(a, "-") || bootstrap != "":
			fmt.Fprintln(os.Stderr, usage)
			os.Exit(2)
		default:
			bootstrap = a
		}
	}
	if bootstrap == "" {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}

	c.checkBootstrap(bootstrap)
	c.crossCheck()
	if len(c.errs) > 0 {
		for _, e := range c.errs {
			fmt.Fprintln(os.Stderr, "envoy-check: "+e)
		}
		os.Exit(1)
	}
	fmt.Printf("envoy-check: ok (%d clusters, %d listeners, %d routes)\n", len(c.clusters), c.nListeners, c.routes)
}

func (c *checker) fail(file, path, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if path != "" {
		msg = path + ": " + msg
	}
	c.errs = append(c.errs, file+": "+msg)
}

func (c *checker) checkBootstrap(file string) {
	var b bootstrapv3.Bootstrap
	if !c.load(file, file, &b) {
		return
	}
	c.check(file, &b)
	// Envoy reads CDS before LDS at start-up; the order matters only for messages, not for the result.
	if d := b.GetDynamicResources(); d != nil {
		if cs := d.GetCdsConfig(); cs != nil {
			c.checkXdsFile(file, "dynamic_resources.cds_config", cs, "envoy.config.cluster.v3.Cluster")
		}
		if cs := d.GetLdsConfig(); cs != nil {
			c.checkXdsFile(file, "dynamic_resources.lds_config", cs, "envoy.config.listener.v3.Listener")
		}
	}
}

// checkXdsFile reads a file-based xDS source the way Envoy's filesystem subscription does: the whole
// file is one envoy.service.discovery.v3.DiscoveryResponse, whose resources must all be of type want.
func (c *checker) checkXdsFile(from, field string, cs *corev3.ConfigSource, want string) {
	var path string
	switch spec := cs.GetConfigSourceSpecifier().(type) {
	case *corev3.ConfigSource_PathConfigSource:
		path = spec.PathConfigSource.GetPath()
	case *corev3.ConfigSource_Path: // the deprecated spelling of the same thing
		path = spec.Path
	default:
		// A management server or ADS cannot be read from here, so nothing behind it would be checked.
		c.unreadable(from, field, "only path_config_source is supported by envoy-check")
		return
	}
	var resp discoveryv3.DiscoveryResponse
	if !c.load(path, filepath.Join(c.root, path), &resp) {
		return
	}
	for i, r := range resp.GetResources() {
		if got := strings.TrimPrefix(r.GetTypeUrl(), "type.googleapis.com/"); got != want {
			c.unreadable(path, fmt.Sprintf("resources[%d]", i), "has type %s, expected %s", got, want)
		}
	}
	c.check(path, &resp)
}

// load parses the YAML file at disk (named in messages as name) into m. Envoy itself turns YAML into JSON and parses
// that with unknown fields rejected; protojson does the same for the proto3 JSON mapping, and
// resolves every Any's "@type" as it goes, so an unknown extension type fails here too.
func (c *checker) load(name, disk string, m proto.Message) bool {
	raw, err := os.ReadFile(disk)
	if err != nil {
		c.unreadable(name, "", "%v", err)
		return false
	}
	// sigs.k8s.io/yaml reads YAML 1.1 scalars (yes/on are booleans), like Envoy's yaml-cpp loader.
	js, err := yaml.YAMLToJSON(raw)
	if err != nil {
		c.unreadable(name, "", "%v", err)
		return false
	}
	lines, paths, err := oneKeyPerLine(js)
	if err != nil {
		c.unreadable(name, "", "%v", err)
		return false
	}
	if err := (protojson.UnmarshalOptions{DiscardUnknown: false}).Unmarshal(lines, m); err != nil {
		path, msg := locate(err, paths)
		c.unreadable(name, path, "%s", msg)
		return false
	}
	return true
}

// unreadable records a file that could not be parsed, then fails like fail.
func (c *checker) unreadable(file, path, format string, args ...any) {
	c.unread = true
	c.fail(file, path, format, args...)
}

// oneKeyPerLine re-encodes JSON with every object key and list element on a line of its own and
// returns, per line, the field path that starts there. protojson reports only "(line L:C)", and a
// line number in the compact JSON of a YAML file means nothing to the reader; with this layout the
// line alone names the field (the key for an unknown field, the value's key for a bad value, the
// Any field itself for an unresolvable @type).
func oneKeyPerLine(js []byte) ([]byte, []string, error) {
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber() // keep 64-bit integers exact
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, nil, err
	}
	var buf bytes.Buffer
	paths := []string{""}
	var emit func(v any, path string)
	emit = func(v any, path string) {
		switch v := v.(type) {
		case map[string]any:
			buf.WriteByte('{')
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for i, k := range keys {
				if i > 0 {
					buf.WriteByte(',')
				}
				p := joinKey(path, k)
				buf.WriteByte('\n')
				paths = append(paths, p)
				kb, _ := json.Marshal(k)
				buf.Write(kb)
				buf.WriteByte(':')
				emit(v[k], p)
			}
			buf.WriteByte('}')
		case []any:
			buf.WriteByte('[')
			for i, e := range v {
				if i > 0 {
					buf.WriteByte(',')
				}
				p := fmt.Sprintf("%s[%d]", path, i)
				buf.WriteByte('\n')
				paths = append(paths, p)
				emit(e, p)
			}
			buf.WriteByte(']')
		default:
			b, _ := json.Marshal(v)
			buf.Write(b)
		}
	}
	emit(v, "")
	return buf.Bytes(), paths, nil
}

// joinKey appends an object key to a path: .name for a field, ["key"] for a map key with dots or
// other characters that would make the path ambiguous.
func joinKey(path, k string) string {
	if strings.IndexFunc(k, func(r rune) bool { return !(r == '_' || r == '@' || unicode.IsLetter(r) || unicode.IsDigit(r)) }) >= 0 {
		return path + "[" + strconv.Quote(k) + "]"
	}
	if path == "" {
		return k
	}
	return path + "." + k
}

var linePos = regexp.MustCompile(`\(line (\d+):\d+\): `)

// locate turns protojson's "proto: (line L:C): unknown field "x"" into the field path of line L.
func locate(err error, paths []string) (string, string) {
	s := err.Error()
	m := linePos.FindStringSubmatchIndex(s)
	if m == nil {
		return "", s
	}
	line, _ := strconv.Atoi(s[m[2]:m[3]])
	if line < 1 || line > len(paths) {
		return "", s[m[1]:]
	}
	return paths[line-1], s[m[1]:]
}

// check runs the validate rules of m and of every message packed in an Any below it, and collects
// what the cross-checks need. protoc-gen-validate's generated ValidateAll recurses into embedded
// messages but not into an Any (it sees an *anypb.Any, which has no rules of its own), so the tree
// is walked here and each unpacked Any is validated as a root of its own: every message is
// validated exactly once.
func (c *checker) check(file string, m proto.Message) {
	c.validate(file, "", m)
	c.walk(file, "", m.ProtoReflect())
}

func (c *checker) validate(file, path string, m proto.Message) {
	v, ok := m.(interface{ ValidateAll() error })
	if !ok {
		return // well-known types (Struct, Duration...) carry no rules
	}
	if err := v.ValidateAll(); err != nil {
		flatten(err, path, func(p, msg string) { c.fail(file, p, "%s", msg) })
	}
}

// The methods every protoc-gen-validate error type has; MultiError holds ValidateAll's list.
type fieldError interface {
	Field() string
	Reason() string
	Cause() error
}
type multiError interface{ AllErrors() []error }

// flatten turns protoc-gen-validate's nested errors ("invalid Bootstrap.StaticResources: embedded
// message failed validation | caused by: ...") into one line per broken rule, with the field path
// in proto names (static_resources.clusters[0].name).
func flatten(err error, path string, out func(path, msg string)) {
	var multi multiError
	var field fieldError
	switch {
	case errors.As(err, &multi):
		for _, e := range multi.AllErrors() {
			flatten(e, path, out)
		}
	case errors.As(err, &field):
		p := joinField(path, field.Field())
		cause := field.Cause()
		var m multiError
		var f fieldError
		switch {
		case cause == nil:
			out(p, field.Reason())
		case errors.As(cause, &m) || errors.As(cause, &f):
			flatten(cause, p, out)
		default:
			out(p, field.Reason()+": "+cause.Error())
		}
	default:
		out(path, err.Error())
	}
}

// joinField appends a protoc-gen-validate field name ("ConnectTimeout", "Clusters[0]") to a path in
// proto field names: generated names are the proto names in CamelCase, so undoing that is exact for
// every Envoy field (ipv4_compat -> Ipv4Compat -> ipv4_compat).
func joinField(path, field string) string {
	name, index, _ := strings.Cut(field, "[")
	var b strings.Builder
	for i, r := range name {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	s := b.String()
	if index != "" {
		s += "[" + index
	}
	if path == "" {
		return s
	}
	return path + "." + s
}

// walk visits every set field below m in declaration order (so messages come out in a stable
// order), unpacking each Any, and hands the messages the cross-checks care about to note.
func (c *checker) walk(file, path string, m protoreflect.Message) {
	if a, ok := m.Interface().(*anypb.Any); ok {
		inner, err := a.UnmarshalNew()
		if err != nil {
			c.fail(file, path, "cannot unpack %s: %v", a.GetTypeUrl(), err)
			return
		}
		c.validate(file, path, inner)
		c.walk(file, path, inner.ProtoReflect())
		return
	}
	c.note(file, path, m.Interface())
	fields := m.Descriptor().Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		if fd.Kind() != protoreflect.MessageKind && fd.Kind() != protoreflect.GroupKind || !m.Has(fd) {
			continue
		}
		p := joinKey(path, string(fd.Name()))
		switch v := m.Get(fd); {
		case fd.IsList():
			for j, l := 0, v.List(); j < l.Len(); j++ {
				c.walk(file, fmt.Sprintf("%s[%d]", p, j), l.Get(j).Message())
			}
		case fd.IsMap():
			if fd.MapValue().Kind() != protoreflect.MessageKind {
				continue
			}
			v.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
				c.walk(file, p+"["+strconv.Quote(k.String())+"]", mv.Message())
				return true
			})
		default:
			c.walk(file, p, v.Message())
		}
	}
}

// note records clusters, listeners and each http_connection_manager's routes and filter chain.
func (c *checker) note(file, path string, m proto.Message) {
	where := file + ": " + path
	switch m := m.(type) {
	case *clusterv3.Cluster:
		if first, dup := c.clusters[m.GetName()]; dup {
			c.fail(file, path+".name", "duplicate cluster %q (first defined at %s)", m.GetName(), first)
		} else {
			c.clusters[m.GetName()] = where
		}
	case *listenerv3.Listener:
		c.nListeners++
		// Envoy names an unnamed listener itself, so only a repeated explicit name clashes.
		if name := m.GetName(); name != "" {
			if first, dup := c.listeners[name]; dup {
				c.fail(file, path+".name", "duplicate listener %q (first defined at %s)", name, first)
			} else {
				c.listeners[name] = where
			}
		}
		// Two listeners that bind one address and protocol are refused when the second is added.
		if sa := m.GetAddress().GetSocketAddress(); sa != nil && (m.GetBindToPort() == nil || m.GetBindToPort().GetValue()) {
			key := fmt.Sprintf("%s %s:%d", sa.GetProtocol(), sa.GetAddress(), sa.GetPortValue())
			if first, dup := c.addresses[key]; dup {
				c.fail(file, path+".address", "listener binds %s, as %s does already", key, first)
			} else {
				c.addresses[key] = where
			}
		}
	case *hcmv3.HttpConnectionManager:
		c.noteHcm(file, path, m)
	}
}

func (c *checker) noteHcm(file, path string, h *hcmv3.HttpConnectionManager) {
	switch h.GetRouteSpecifier().(type) {
	case *hcmv3.HttpConnectionManager_RouteConfig:
		c.noteRoutes(file, path+".route_config", h.GetRouteConfig())
	case *hcmv3.HttpConnectionManager_Rds:
		c.fail(file, path+".rds", "RDS is not supported by envoy-check: inline the routes as route_config")
	case *hcmv3.HttpConnectionManager_ScopedRoutes:
		c.fail(file, path+".scoped_routes", "scoped routes are not supported by envoy-check: inline the routes as route_config")
	}
	// Envoy refuses a chain whose last filter is not terminal, or with a terminal filter before the
	// end; of the filters we register, the router is the only terminal one.
	filters := h.GetHttpFilters()
	for i, f := range filters {
		isRouter := f.GetTypedConfig().MessageIs((*routerv3.Router)(nil))
		last := i == len(filters)-1
		switch {
		case isRouter && !last:
			c.fail(file, fmt.Sprintf("%s.http_filters[%d]", path, i), "the router filter %q must be the last HTTP filter", f.GetName())
		case !isRouter && last:
			c.fail(file, fmt.Sprintf("%s.http_filters[%d]", path, i), "the last HTTP filter %q is not the router", f.GetName())
		}
	}
}

// noteRoutes counts the routes of an inline route table and keeps every cluster they name. Envoy
// checks those names against the clusters it has when the table loads, unless the table sets
// validate_clusters: false (the default is true for an inline table).
func (c *checker) noteRoutes(file, path string, rc *routev3.RouteConfiguration) {
	validate := rc.GetValidateClusters() == nil || rc.GetValidateClusters().GetValue()
	for i, vh := range rc.GetVirtualHosts() {
		for j, r := range vh.GetRoutes() {
			c.routes++
			if !validate {
				continue
			}
			at := fmt.Sprintf("%s: %s.virtual_hosts[%d].routes[%d].route", file, path, i, j)
			ra := r.GetRoute()
			if ra == nil {
				continue // redirect, direct_response: no upstream
			}
			switch spec := ra.GetClusterSpecifier().(type) {
			case *routev3.RouteAction_Cluster:
				c.refs = append(c.refs, clusterRef{at + ".cluster", "cluster", spec.Cluster})
			case *routev3.RouteAction_WeightedClusters:
				for k, w := range spec.WeightedClusters.GetClusters() {
					if w.GetName() != "" {
						c.refs = append(c.refs, clusterRef{fmt.Sprintf("%s.weighted_clusters.clusters[%d].name", at, k), "weighted cluster", w.GetName()})
					}
				}
			}
			for k, mp := range ra.GetRequestMirrorPolicies() {
				if mp.GetCluster() != "" {
					c.refs = append(c.refs, clusterRef{fmt.Sprintf("%s.request_mirror_policies[%d].cluster", at, k), "shadow cluster", mp.GetCluster()})
				}
			}
		}
	}
}

// crossCheck runs once every file is read: a route may name a cluster from any of them.
func (c *checker) crossCheck() {
	if c.unread {
		return // every route would look dangling after a CDS file that did not parse
	}
	for _, r := range c.refs {
		if _, ok := c.clusters[r.name]; !ok {
			c.errs = append(c.errs, fmt.Sprintf("%s: unknown %s %q (no static or CDS cluster has that name)", r.where, r.kind, r.name))
		}
	}
}
