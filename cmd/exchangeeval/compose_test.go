package main

import (
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/csci/exchangeeval/internal/mongostore/storetest"
)

// TestComposeIsAWorkingProductionPath: compose.yaml, the README's
// production path, refuses to start without EXCHANGEEVAL_SECRET, points
// the service at its MongoDB service, and starts the service only once
// that is healthy; the service then runs as the Dockerfile's CMD runs it,
// with compose's environment (MongoDB here being the test's store, Docker
// not being on this machine's list): it starts on an empty database and
// serves the sign-in page.
func TestComposeIsAWorkingProductionPath(t *testing.T) {
	raw, err := os.ReadFile("../../compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			Environment map[string]string `yaml:"environment"`
			DependsOn   map[string]struct {
				Condition string `yaml:"condition"`
			} `yaml:"depends_on"`
			Healthcheck map[string]any `yaml:"healthcheck"`
			Ports       []string       `yaml:"ports"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(raw, &compose); err != nil {
		t.Fatal(err)
	}
	svc, mongo := compose.Services["exchangeeval"], compose.Services["mongo"]
	if !strings.HasPrefix(svc.Environment["EXCHANGEEVAL_SECRET"], "${EXCHANGEEVAL_SECRET:?") {
		t.Errorf("compose starts without EXCHANGEEVAL_SECRET: %q", svc.Environment["EXCHANGEEVAL_SECRET"])
	}
	if !strings.HasPrefix(svc.Environment["MONGODB_URI"], "mongodb://mongo:27017/") || !strings.HasPrefix(mongo.Image, "mongo:") || mongo.Healthcheck == nil ||
		svc.DependsOn["mongo"].Condition != "service_healthy" {
		t.Errorf("the service is not wired to a healthy MongoDB: %+v %+v", svc, mongo)
	}
	if len(svc.Ports) != 1 || !strings.HasSuffix(svc.Ports[0], ":8080") {
		t.Errorf("ports: %v", svc.Ports)
	}
	dockerfile, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^CMD (\[.*\])$`).FindSubmatch(dockerfile)
	var cmd []string
	if m == nil || json.Unmarshal(m[1], &cmd) != nil || len(cmd) < 3 || cmd[0] != "serve" || cmd[1] != "--addr" || cmd[2] != ":8080" {
		t.Fatalf("the Dockerfile's CMD: %q", m)
	}

	c := &cli{t: t, env: map[string]string{"MONGODB_URI": storetest.URI(), "EXCHANGEEVAL_DATABASE": storetest.NewDatabaseName(),
		"EXCHANGEEVAL_SECRET": storetest.SecretHex(), "EXCHANGEEVAL_BASE_URL": svc.Environment["EXCHANGEEVAL_BASE_URL"]}}
	addr, stop := c.serveFor(cmd[3:]...)
	defer func() {
		if err := stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	resp, err := http.Get(addr + "/login")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("the sign-in page: %v", err)
	}
	resp.Body.Close()
}
