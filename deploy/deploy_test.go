package deploy

import (
	"bufio"
	"bytes"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// pending are the settings issue 17 adds on branches of their own (media
// on S3, a replica's name). The examples use them already; until they are
// in the code they are accepted with a note, and once they are, they are
// checked like every other. Drop an entry once it has landed.
var (
	pendingFlags = map[string]bool{}
	pendingEnv   = map[string]bool{}
)

// known is what the pacer binary understands, read from its source at
// test time: the flags of every verb, their PACER_* twins, and the other
// PACER_* variables the program reads itself.
type known struct {
	flags map[string]bool
	env   map[string]bool
}

func (k known) flag(t *testing.T, where, name string) {
	t.Helper()
	switch {
	case k.flags[name]:
	case pendingFlags[name]:
		t.Logf("%s: --%s is not in main.go yet (issue 17 adds it)", where, name)
	default:
		t.Errorf("%s: pacer has no flag --%s", where, name)
	}
}

func (k known) envVar(t *testing.T, where, name string) {
	t.Helper()
	switch {
	case k.env[name]:
	case pendingEnv[name] || pendingFlags[flagOf(name)]:
		t.Logf("%s: %s is not read by pacer yet (issue 17 adds it)", where, name)
	default:
		t.Errorf("%s: pacer reads no variable %s", where, name)
	}
}

// envName mirrors main.go's envName: the environment twin of a flag.
func envName(flag string) string {
	return "PACER_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// flagOf is the flag whose twin env is.
func flagOf(env string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(env, "PACER_"), "_", "-"))
}

// pacer parses the main package and every package it may read the
// environment from. A flag is a call of a FlagSet method or of one of the
// helpers declared on main's flags type (which also read the twin) with a
// string literal for its name.
func pacer(t *testing.T) known {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	parse := func(path string) *ast.File {
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	var mainFiles []*ast.File
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if name := e.Name(); strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") {
			mainFiles = append(mainFiles, parse(filepath.Join(root, name)))
		}
	}
	// The helpers with a twin are the methods of the type that wraps the
	// FlagSet (main's flags).
	twins := map[string]bool{}
	for _, f := range mainFiles {
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || len(fn.Recv.List) != 1 {
				continue
			}
			if id, ok := fn.Recv.List[0].Type.(*ast.Ident); ok && id.Name == "flags" {
				twins[fn.Name.Name] = true
			}
		}
	}
	if len(twins) == 0 {
		t.Fatal("main.go declares no flag helpers on a type named flags: this test reads the flags through them; update it")
	}
	plain := map[string]bool{"String": true, "Bool": true, "Int": true, "Int64": true, "Uint": true, "Uint64": true,
		"Float64": true, "Duration": true, "Var": true, "Func": true, "BoolFunc": true, "TextVar": true,
		"StringVar": true, "BoolVar": true, "IntVar": true, "Int64Var": true, "DurationVar": true}
	k := known{flags: map[string]bool{}, env: map[string]bool{}}
	for _, f := range mainFiles {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			method := sel.Sel.Name
			arg := 0
			if strings.HasSuffix(method, "Var") {
				arg = 1 // fs.StringVar(&x, "name", …), fs.Var(v, "name", …)
			}
			if !twins[method] && !plain[method] || arg >= len(call.Args) {
				return true
			}
			name, ok := stringLit(call.Args[arg])
			if !ok {
				return true
			}
			k.flags[name] = true
			if twins[method] {
				k.env[envName(name)] = true
			}
			return true
		})
	}
	if !k.flags["store"] || !k.env["PACER_STORE"] {
		t.Fatalf("read %d flags from main.go and --store is not among them: the parse is wrong", len(k.flags))
	}
	// Variables read directly (the signing key, credentials): every
	// os.Getenv and os.LookupEnv with a PACER_ literal in the program's
	// packages. Test helpers and tools are not the program.
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "cmd" || name == "deploy" ||
				name == "durability" || strings.HasSuffix(name, "test")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		ast.Inspect(parse(path), func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "Getenv" && sel.Sel.Name != "LookupEnv") {
				return true
			}
			if pkg, ok := sel.X.(*ast.Ident); !ok || pkg.Name != "os" {
				return true
			}
			if name, ok := stringLit(call.Args[0]); ok && strings.HasPrefix(name, "PACER_") {
				k.env[name] = true
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !k.env["PACER_JWT_SECRET"] {
		t.Fatal("found no os.Getenv(\"PACER_JWT_SECRET\"): the walk is wrong")
	}
	return k
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// checkArgs checks a pacer command line: a verb, then flags pacer has.
func checkArgs(t *testing.T, k known, where string, args []string) {
	t.Helper()
	if len(args) == 0 {
		return // the image's default, serve
	}
	if verbs := []string{"serve", "user", "backup", "migrate"}; !slices.Contains(verbs, args[0]) {
		t.Errorf("%s: %q is not a pacer verb", where, args[0])
	}
	for _, a := range args[1:] {
		if !strings.HasPrefix(a, "-") {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		k.flag(t, where, name)
	}
}

// pinned reports why an image reference is not pinned to a version, or "".
func pinned(image string) string {
	if strings.Contains(image, "@sha256:") {
		return ""
	}
	slash := strings.LastIndex(image, "/")
	colon := strings.LastIndex(image, ":")
	if colon <= slash {
		return "has no tag (that is latest)"
	}
	if tag := image[colon+1:]; tag == "latest" || strings.Contains(tag, "$") {
		return "is not pinned to a version"
	}
	return ""
}

// secretish says whether a variable holds a credential.
func secretish(name string) bool {
	for _, w := range []string{"PASSWORD", "SECRET", "ACCESS_KEY", "TOKEN"} {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

// placeholder says whether a committed secret value is obviously one.
func placeholder(v string) bool { return strings.Contains(v, "change-me") }

// strList is a Compose field that may be a string or a list of strings.
type strList []string

func (s *strList) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*s = strings.Fields(n.Value)
		return nil
	}
	var l []string
	err := n.Decode(&l)
	*s = l
	return err
}

// envMap is a Compose environment, in either of its two forms.
type envMap map[string]string

func (e *envMap) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.SequenceNode {
		var l []string
		if err := n.Decode(&l); err != nil {
			return err
		}
		m := envMap{}
		for _, kv := range l {
			k, v, _ := strings.Cut(kv, "=")
			m[k] = v
		}
		*e = m
		return nil
	}
	var m map[string]string
	err := n.Decode(&m)
	*e = m
	return err
}

type composeService struct {
	Image       string `yaml:"image"`
	Build       any    `yaml:"build"`
	Command     strList
	Environment envMap
	Healthcheck struct {
		Test strList
	}
	Networks any
}

type composeFile struct {
	Services map[string]composeService
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// builtHere says whether a Compose service runs the image deploy/Dockerfile
// builds: a pacer replica.
func builtHere(s composeService) bool {
	switch b := s.Build.(type) {
	case map[string]any:
		df, _ := b["dockerfile"].(string)
		return strings.HasSuffix(df, "deploy/Dockerfile")
	}
	return false
}

func TestComposeRunsThreeReplicasPacerUnderstands(t *testing.T) {
	k := pacer(t)
	var cf composeFile
	if err := yaml.Unmarshal(readFile(t, "compose/compose.yaml"), &cf); err != nil {
		t.Fatalf("compose/compose.yaml: %v", err)
	}
	var replicas []string
	for name, s := range cf.Services {
		where := "compose service " + name
		if s.Image == "" && s.Build == nil {
			t.Errorf("%s has neither an image nor a build", where)
		}
		if s.Image != "" {
			if why := pinned(s.Image); why != "" {
				t.Errorf("%s: image %s %s", where, s.Image, why)
			}
		}
		for key, v := range s.Environment {
			// A credential is always taken from .env, never written here.
			if secretish(key) && !strings.HasPrefix(v, "${") {
				t.Errorf("%s: %s is written in the file; take it from .env (${%s})", where, key, key)
			}
			if u, _, ok := strings.Cut(v, "@"); ok && strings.Contains(u, "://") {
				if _, pw, ok := strings.Cut(strings.SplitN(u, "://", 2)[1], ":"); ok && !strings.HasPrefix(pw, "${") {
					t.Errorf("%s: %s has a password written in its URL; take it from .env", where, key)
				}
			}
		}
		if !builtHere(s) {
			continue
		}
		replicas = append(replicas, name)
		checkArgs(t, k, where, s.Command)
		for key := range s.Environment {
			if strings.HasPrefix(key, "PACER_") {
				k.envVar(t, where, key)
			}
		}
		if !slices.ContainsFunc(s.Healthcheck.Test, func(a string) bool { return strings.Contains(a, "/readyz") }) {
			t.Errorf("%s: its health check does not ask /readyz: %q", where, s.Healthcheck.Test)
		}
	}
	slices.Sort(replicas)
	if len(replicas) != 3 {
		t.Fatalf("compose runs %d pacer replicas (%v), want 3", len(replicas), replicas)
	}
	ids := map[string]bool{}
	for _, name := range replicas {
		env := cf.Services[name].Environment
		if env["PACER_STORE"] != cf.Services[replicas[0]].Environment["PACER_STORE"] || env["PACER_STORE"] == "" {
			t.Errorf("%s: every replica must have the same PACER_STORE", name)
		}
		if id := env["PACER_REPLICA_ID"]; id == "" || ids[id] {
			t.Errorf("%s: PACER_REPLICA_ID %q is empty or another replica's", name, id)
		} else {
			ids[id] = true
		}
	}

	// The load balancer: Caddy's upstreams are the three replicas, checked
	// on /readyz, and its address is the one the replicas trust.
	caddy := string(readFile(t, "compose/Caddyfile"))
	var upstreams []string
	sc := bufio.NewScanner(strings.NewReader(caddy))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) > 0 && f[0] == "reverse_proxy" {
			upstreams = append(upstreams, slices.DeleteFunc(f[1:], func(s string) bool { return s == "{" })...)
		}
	}
	slices.Sort(upstreams)
	var want []string
	for _, r := range replicas {
		want = append(want, r+":3000")
	}
	if !slices.Equal(upstreams, want) {
		t.Errorf("Caddyfile proxies to %v, want the replicas %v", upstreams, want)
	}
	if !strings.Contains(caddy, "health_uri /readyz") {
		t.Error("Caddyfile does not check the replicas on /readyz")
	}
	lb, ok := cf.Services["caddy"]
	if !ok {
		t.Fatal("compose has no caddy service")
	}
	var lbAddrs []netip.Addr
	if nets, ok := lb.Networks.(map[string]any); ok {
		for _, n := range nets {
			if m, ok := n.(map[string]any); ok {
				if s, ok := m["ipv4_address"].(string); ok {
					a, err := netip.ParseAddr(s)
					if err != nil {
						t.Fatalf("caddy ipv4_address %q: %v", s, err)
					}
					lbAddrs = append(lbAddrs, a)
				}
			}
		}
	}
	if len(lbAddrs) == 0 {
		t.Fatal("the caddy service has no fixed address for the replicas to trust")
	}
	for _, name := range replicas {
		var trusted []netip.Prefix
		for _, p := range strings.Split(cf.Services[name].Environment["PACER_TRUSTED_PROXIES"], ",") {
			if p = strings.TrimSpace(p); p == "" {
				continue
			}
			if !strings.Contains(p, "/") {
				p += "/32"
			}
			pfx, err := netip.ParsePrefix(p)
			if err != nil {
				t.Errorf("%s: PACER_TRUSTED_PROXIES entry %q: %v", name, p, err)
				continue
			}
			trusted = append(trusted, pfx)
		}
		for _, a := range lbAddrs {
			if !slices.ContainsFunc(trusted, func(p netip.Prefix) bool { return p.Contains(a) }) {
				t.Errorf("%s does not trust the load balancer's address %s: every client would look like the proxy", name, a)
			}
		}
	}
}

func TestComposeEnvExampleHoldsOnlyPlaceholders(t *testing.T) {
	b := readFile(t, "compose/.env.example")
	compose := string(readFile(t, "compose/compose.yaml"))
	sc := bufio.NewScanner(bytes.NewReader(b))
	seen := 0
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Errorf(".env.example: %q is not KEY=value", line)
			continue
		}
		if secretish(key) {
			seen++
			if !placeholder(v) {
				t.Errorf(".env.example: %s holds a value that is not an obvious placeholder (change-me…)", key)
			}
		}
		if !strings.Contains(compose, "${"+key) {
			t.Errorf(".env.example: compose.yaml never uses %s", key)
		}
	}
	if seen == 0 {
		t.Error(".env.example lists no secrets: the stack has several")
	}
	// Every variable compose requires is in the example.
	for _, part := range strings.Split(compose, "${")[1:] {
		end := strings.IndexAny(part, ":-}")
		if end < 0 {
			t.Fatalf("compose.yaml: an unclosed ${ before %q", part)
		}
		name := part[:end]
		if !bytes.Contains(b, []byte("\n"+name+"=")) {
			t.Errorf("compose.yaml uses ${%s}, which .env.example does not list", name)
		}
	}
}

// manifest is one Kubernetes document: its kind and name, and the node to
// decode the rest from.
type manifest struct {
	file, kind, name string
	node             *yaml.Node
}

type labels = map[string]string

type container struct {
	Name, Image string
	Args        []string
	Command     []string
	Ports       []struct {
		Name          string
		ContainerPort int `yaml:"containerPort"`
	}
	Env []struct {
		Name string
	}
	EnvFrom []struct {
		ConfigMapRef *struct{ Name string } `yaml:"configMapRef"`
		SecretRef    *struct{ Name string } `yaml:"secretRef"`
	} `yaml:"envFrom"`
	ReadinessProbe *probe `yaml:"readinessProbe"`
	LivenessProbe  *probe `yaml:"livenessProbe"`
	Resources      struct {
		Requests, Limits map[string]string
	}
	SecurityContext struct {
		AllowPrivilegeEscalation *bool `yaml:"allowPrivilegeEscalation"`
	} `yaml:"securityContext"`
}

// keyValues is a ConfigMap's or a Secret's content.
type keyValues struct {
	Data       map[string]string
	StringData map[string]string `yaml:"stringData"`
}

// servicePort is a port of a Service.
type servicePort struct {
	Name       string
	TargetPort any `yaml:"targetPort"`
}

type probe struct {
	HTTPGet struct {
		Path string
		Port any
	} `yaml:"httpGet"`
}

type deployment struct {
	Spec struct {
		Replicas int
		Selector struct {
			MatchLabels labels `yaml:"matchLabels"`
		}
		Template struct {
			Metadata struct{ Labels labels }
			Spec     struct {
				SecurityContext struct {
					RunAsNonRoot bool `yaml:"runAsNonRoot"`
				} `yaml:"securityContext"`
				Containers     []container
				InitContainers []container `yaml:"initContainers"`
			}
		}
	}
}

func readManifests(t *testing.T) []manifest {
	t.Helper()
	paths, err := filepath.Glob("k8s/*.yaml")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no manifests in k8s/: %v", err)
	}
	var out []manifest
	for _, p := range paths {
		dec := yaml.NewDecoder(bytes.NewReader(readFile(t, p)))
		for {
			var n yaml.Node
			err := dec.Decode(&n)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			var head struct {
				Kind     string
				Metadata struct{ Name string }
			}
			if err := n.Decode(&head); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			if head.Kind == "" {
				t.Fatalf("%s: a document without a kind", p)
			}
			out = append(out, manifest{file: filepath.Base(p), kind: head.Kind, name: head.Metadata.Name, node: &n})
		}
	}
	return out
}

func decode[T any](t *testing.T, m manifest) T {
	t.Helper()
	var v T
	if err := m.node.Decode(&v); err != nil {
		t.Fatalf("%s (%s %s): %v", m.file, m.kind, m.name, err)
	}
	return v
}

func only(t *testing.T, ms []manifest, kind string) manifest {
	t.Helper()
	var found []manifest
	for _, m := range ms {
		if m.kind == kind {
			found = append(found, m)
		}
	}
	if len(found) != 1 {
		t.Fatalf("k8s/ has %d %s manifests, want 1", len(found), kind)
	}
	return found[0]
}

// selects reports whether a selector picks pods labelled so: every label
// it asks for, and at least one.
func selects(sel, pod labels) bool {
	if len(sel) == 0 {
		return false
	}
	for k, v := range sel {
		if pod[k] != v {
			return false
		}
	}
	return true
}

func TestKubernetesDeploymentServesThreeReadyReplicas(t *testing.T) {
	k := pacer(t)
	ms := readManifests(t)
	d := decode[deployment](t, only(t, ms, "Deployment"))
	pod := d.Spec.Template.Metadata.Labels
	if d.Spec.Replicas != 3 {
		t.Errorf("Deployment: %d replicas, want 3", d.Spec.Replicas)
	}
	if !selects(d.Spec.Selector.MatchLabels, pod) {
		t.Errorf("Deployment: selector %v does not select its own pods %v", d.Spec.Selector.MatchLabels, pod)
	}
	if !d.Spec.Template.Spec.SecurityContext.RunAsNonRoot {
		t.Error("Deployment: pods may run as root (securityContext.runAsNonRoot)")
	}
	configMaps, secrets := map[string][]string{}, map[string][]string{}
	for _, m := range ms {
		if m.kind != "ConfigMap" && m.kind != "Secret" {
			continue
		}
		v := decode[keyValues](t, m)
		var keys []string
		for key, val := range v.Data {
			keys = append(keys, key)
			if m.kind == "Secret" && !placeholder(val) {
				t.Errorf("%s: Secret %s holds %s that is not an obvious placeholder (change-me…)", m.file, m.name, key)
			}
		}
		for key, val := range v.StringData {
			keys = append(keys, key)
			if !placeholder(val) {
				t.Errorf("%s: Secret %s holds %s that is not an obvious placeholder (change-me…)", m.file, m.name, key)
			}
		}
		if m.kind == "ConfigMap" {
			configMaps[m.name] = keys
			for _, key := range keys {
				if secretish(key) {
					t.Errorf("%s: ConfigMap %s holds %s, a credential: it belongs in the Secret", m.file, m.name, key)
				}
			}
		} else {
			secrets[m.name] = keys
		}
	}
	var ports []string
	var pacerContainers int
	for _, c := range append(d.Spec.Template.Spec.InitContainers, d.Spec.Template.Spec.Containers...) {
		where := "Deployment container " + c.Name
		if why := pinned(c.Image); why != "" {
			t.Errorf("%s: image %s %s", where, c.Image, why)
		}
		if !strings.Contains(c.Image, "pacer") {
			continue
		}
		pacerContainers++
		checkArgs(t, k, where, c.Args)
		for _, e := range c.Env {
			if strings.HasPrefix(e.Name, "PACER_") {
				k.envVar(t, where, e.Name)
			}
		}
		for _, from := range c.EnvFrom {
			switch {
			case from.ConfigMapRef != nil:
				keys, ok := configMaps[from.ConfigMapRef.Name]
				if !ok {
					t.Errorf("%s: takes its environment from ConfigMap %s, which k8s/ does not have", where, from.ConfigMapRef.Name)
				}
				for _, key := range keys {
					k.envVar(t, where+" (ConfigMap "+from.ConfigMapRef.Name+")", key)
				}
			case from.SecretRef != nil:
				keys, ok := secrets[from.SecretRef.Name]
				if !ok {
					t.Errorf("%s: takes its environment from Secret %s, which k8s/ has no example of", where, from.SecretRef.Name)
				}
				for _, key := range keys {
					k.envVar(t, where+" (Secret "+from.SecretRef.Name+")", key)
				}
			}
		}
		for _, p := range c.Ports {
			ports = append(ports, p.Name, strconv.Itoa(p.ContainerPort))
		}
		for _, pr := range []struct {
			name, path string
			p          *probe
		}{{"readiness", "/readyz", c.ReadinessProbe}, {"liveness", "/healthz", c.LivenessProbe}} {
			switch {
			case pr.p == nil:
				t.Errorf("%s has no %s probe", where, pr.name)
			case pr.p.HTTPGet.Path != pr.path:
				t.Errorf("%s: %s probe asks %q, want %s", where, pr.name, pr.p.HTTPGet.Path, pr.path)
			case !slices.Contains(ports, portString(pr.p.HTTPGet.Port)):
				t.Errorf("%s: %s probe's port %v is not one of the container's", where, pr.name, pr.p.HTTPGet.Port)
			}
		}
		if c.Resources.Requests["cpu"] == "" || c.Resources.Requests["memory"] == "" || c.Resources.Limits["memory"] == "" {
			t.Errorf("%s: give cpu and memory requests and a memory limit", where)
		}
		if ape := c.SecurityContext.AllowPrivilegeEscalation; ape == nil || *ape {
			t.Errorf("%s: allowPrivilegeEscalation is not false", where)
		}
	}
	if pacerContainers != 1 {
		t.Fatalf("Deployment has %d pacer containers, want 1", pacerContainers)
	}

	svc := decode[struct {
		Metadata struct{ Name string }
		Spec     struct {
			Selector labels
			Ports    []servicePort
		}
	}](t, only(t, ms, "Service"))
	if !selects(svc.Spec.Selector, pod) {
		t.Errorf("Service selector %v does not select the Deployment's pods %v", svc.Spec.Selector, pod)
	}
	for _, p := range svc.Spec.Ports {
		if !slices.Contains(ports, portString(p.TargetPort)) {
			t.Errorf("Service port %s targets %v, which is not a port of the pods", p.Name, p.TargetPort)
		}
	}

	pdb := decode[struct {
		Spec struct {
			MinAvailable any `yaml:"minAvailable"`
			Selector     struct {
				MatchLabels labels `yaml:"matchLabels"`
			}
		}
	}](t, only(t, ms, "PodDisruptionBudget"))
	if portString(pdb.Spec.MinAvailable) != "2" {
		t.Errorf("PodDisruptionBudget minAvailable is %v, want 2", pdb.Spec.MinAvailable)
	}
	if !selects(pdb.Spec.Selector.MatchLabels, pod) {
		t.Errorf("PodDisruptionBudget selector %v does not select the Deployment's pods %v", pdb.Spec.Selector.MatchLabels, pod)
	}

	ing := decode[struct {
		Spec struct {
			Rules []struct {
				HTTP struct {
					Paths []struct {
						Backend struct {
							Service struct {
								Name string
								Port struct{ Name string }
							}
						}
					}
				}
			}
		}
	}](t, only(t, ms, "Ingress"))
	for _, r := range ing.Spec.Rules {
		for _, p := range r.HTTP.Paths {
			b := p.Backend.Service
			if b.Name != svc.Metadata.Name || !slices.ContainsFunc(svc.Spec.Ports, func(sp servicePort) bool { return sp.Name == b.Port.Name }) {
				t.Errorf("Ingress sends to service %s port %q, which is not the Service's", b.Name, b.Port.Name)
			}
		}
	}
}

func portString(p any) string {
	switch v := p.(type) {
	case int:
		return strconv.Itoa(v)
	case string:
		return v
	}
	return ""
}

func TestKubernetesImagesArePinned(t *testing.T) {
	for _, m := range readManifests(t) {
		var walk func(n *yaml.Node)
		walk = func(n *yaml.Node) {
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					key, val := n.Content[i].Value, n.Content[i+1]
					if (key == "image" || key == "imageName") && val.Kind == yaml.ScalarNode {
						if why := pinned(val.Value); why != "" {
							t.Errorf("%s: image %s %s", m.file, val.Value, why)
						}
					}
				}
			}
			for _, c := range n.Content {
				walk(c)
			}
		}
		walk(m.node)
	}
}

func TestKustomizationListsWhatExists(t *testing.T) {
	var kz struct {
		Resources []string
	}
	if err := yaml.Unmarshal(readFile(t, "k8s/kustomization.yaml"), &kz); err != nil {
		t.Fatal(err)
	}
	for _, r := range kz.Resources {
		if _, err := os.Stat(filepath.Join("k8s", r)); err != nil {
			t.Errorf("kustomization.yaml lists %s: %v", r, err)
		}
		// The examples (the Secret, the database) are applied by hand.
		if strings.Contains(r, "example") {
			t.Errorf("kustomization.yaml applies %s, an example", r)
		}
	}
}

func TestDockerfileBuildsPinnedNonRootImage(t *testing.T) {
	df := string(readFile(t, "Dockerfile"))
	var user, entry string
	sc := bufio.NewScanner(strings.NewReader(df))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 {
			continue
		}
		switch strings.ToUpper(f[0]) {
		case "FROM":
			if why := pinned(f[1]); why != "" {
				t.Errorf("Dockerfile: FROM %s %s", f[1], why)
			}
		case "USER":
			user = f[1]
		case "ENTRYPOINT":
			entry = strings.Join(f[1:], " ")
		}
	}
	if name, _, _ := strings.Cut(user, ":"); name == "" || name == "root" || name == "0" {
		t.Errorf("Dockerfile: the image runs as %q, want an unprivileged user", user)
	}
	if !strings.Contains(entry, "pacer") {
		t.Errorf("Dockerfile: ENTRYPOINT %q does not run pacer", entry)
	}
	if !strings.Contains(df, "/readyz") {
		t.Error("Dockerfile: no health check on /readyz")
	}
}

func TestNoPrivateKeyIsCommitted(t *testing.T) {
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, "_test.go") {
			return err
		}
		if bytes.Contains(readFile(t, path), []byte("PRIVATE KEY-----")) {
			t.Errorf("%s holds a private key", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
