package archtest

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/hsworkshop/hsworkshop/"

// kind sorts a project package into its layer.
func kind(pkg string) string {
	p := strings.TrimPrefix(pkg, module)
	switch {
	case strings.HasPrefix(p, "cmd/"):
		return "cmd"
	case p == "handlers":
		return "handlers"
	case p == "handlers/web":
		return "web"
	case p == "handlers/handlertest":
		return "harness"
	case strings.HasPrefix(p, "handlers/"):
		return "area"
	case services[p]:
		return "service"
	case p == "internal/archtest":
		return "archtest"
	case libs[p]:
		return "lib"
	case strings.HasPrefix(p, "internal/test"), p == "internal/e2e", p == "internal/seed":
		return "tool"
	case strings.HasPrefix(p, "internal/"):
		return "adapter"
	case p == "models":
		return "models"
	case p == "content", p == "templates", p == "static":
		return "leaf"
	}
	return "unknown"
}

// services are the workflow packages (internal/<domain>); every other
// internal package is an adapter, a tool or a test helper. A new service
// (internal/learn, internal/quiz) is added here.
var services = map[string]bool{
	"internal/booking": true, "internal/outbox": true, "internal/audit": true,
	"internal/learn": true, "internal/quiz": true, "internal/origin": true,
	"internal/certificate": true, "internal/dutyline": true, "internal/quizsvc": true,
	"internal/scheduling": true, "internal/attendance": true,
	"internal/desk": true,
}

// libs are helpers that adapters and services share and that import
// nothing from the project (internal/pdfdoc: the embedded font of every PDF).
var libs = map[string]bool{"internal/pdfdoc": true}

// allowed lists, for each layer, the layers it may import (the README's
// rules): cmd anything; handlers/<area> web, services, adapters and
// models, never another area; services adapters, models and lower
// services; adapters models at most; models and the leaves nothing.
var allowed = map[string]map[string]bool{
	"cmd":      {"handlers": true, "web": true, "area": true, "service": true, "adapter": true, "tool": true, "models": true, "leaf": true, "lib": true},
	"handlers": {"web": true, "area": true, "service": true, "adapter": true, "models": true, "leaf": true, "lib": true},
	"harness":  {"handlers": true, "web": true, "area": true, "service": true, "adapter": true, "tool": true, "models": true, "leaf": true, "lib": true},
	"area":     {"web": true, "service": true, "adapter": true, "models": true, "leaf": true, "lib": true},
	"web":      {"models": true, "leaf": true},
	"service":  {"service": true, "adapter": true, "models": true, "lib": true},
	"adapter":  {"models": true, "leaf": true, "lib": true},
	"tool":     {"models": true, "leaf": true, "adapter": true, "lib": true},
	"models":   {},
	"leaf":     {},
	"archtest": {},
	"lib":      {},
}

type goPackage struct {
	ImportPath string
	Imports    []string
}

// TestImportRules reads every package's imports with go list and checks
// each project import against the rules.
func TestImportRules(t *testing.T) {
	cmd := exec.Command("go", "list", "-json", module+"...")
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	var pkgs []goPackage
	for {
		var p goPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 20 {
		t.Fatalf("got %d packages, want the whole module", len(pkgs))
	}
	for _, p := range pkgs {
		from := kind(p.ImportPath)
		if from == "unknown" {
			t.Errorf("%s: no layer; add it to kind()", p.ImportPath)
			continue
		}
		for _, imp := range p.Imports {
			if !strings.HasPrefix(imp, module) {
				continue
			}
			to := kind(imp)
			if !allowed[from][to] {
				t.Errorf("%s (%s) imports %s (%s): not allowed", p.ImportPath, from, imp, to)
			}
		}
	}
}

// TestKinds pins the classification of a few packages, so a rename that
// silently moves a package to another layer fails here.
func TestKinds(t *testing.T) {
	for pkg, want := range map[string]string{
		"handlers/booking": "area", "handlers/web": "web", "internal/booking": "service",
		"internal/payments": "adapter", "internal/hts": "adapter", "internal/pdfdoc": "lib", "models": "models", "templates": "leaf", "cmd/hsworkshop": "cmd",
	} {
		if got := kind(module + pkg); got != want {
			t.Errorf("kind(%s): got %s, want %s", pkg, got, want)
		}
	}
}
