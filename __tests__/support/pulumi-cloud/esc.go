// Pulumi ESC environments, as the CLI calls them: `pulumi env init` creates one and writes its
// definition, and a stack whose settings file imports environments (`environment:`) has its import
// list opened as a literal environment before every operation. Definitions are checked and evaluated
// by Pulumi's own ESC evaluator, and their secrets kept encrypted, as ESC keeps them.
package main

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/esc"
	"github.com/pulumi/pulumi/sdk/v3/go/common/esc/eval"
	"github.com/pulumi/pulumi/sdk/v3/go/common/esc/syntax"
)

type environment struct {
	Org, Project, Name string
	// Definition is the environment's YAML with every `fn::secret` encrypted.
	Definition []byte
	Revision   int
}

// The request and error shapes of ESC's API, as the CLI's ESC client declares them
// (pkg/cmd/esc/cli/client: CreateEnvironment's request, EnvironmentErrorResponse).
type createEnvironmentRequest struct {
	Project string `json:"project"`
	Name    string `json:"name"`
}

type environmentDiagnostic struct {
	Summary string `json:"summary,omitempty"`
	Detail  string `json:"detail,omitempty"`
}

type environmentErrorResponse struct {
	Code        int                     `json:"code,omitempty"`
	Message     string                  `json:"message,omitempty"`
	Diagnostics []environmentDiagnostic `json:"diagnostics,omitempty"`
}

// escCrypter encrypts the secrets of one organization's environments.
type escCrypter struct{ aead cipher.AEAD }

func (s *server) escCrypter(org string) escCrypter {
	key := sha256.Sum256(append(append([]byte{}, s.secretKey...), "esc:"+org...))
	block, err := aes.NewCipher(key[:])
	if err != nil {
		panic(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return escCrypter{aead}
}

func (c escCrypter) Encrypt(_ context.Context, plaintext []byte) ([]byte, error) {
	nonce := randomBytes(c.aead.NonceSize())
	return c.aead.Seal(nonce, nonce, plaintext, nil), nil
}

func (c escCrypter) Decrypt(_ context.Context, ciphertext []byte) ([]byte, error) {
	n := c.aead.NonceSize()
	if len(ciphertext) < n {
		return nil, errors.New("ciphertext too short")
	}
	return c.aead.Open(nil, ciphertext[:n], ciphertext[n:], nil)
}

func (s *server) escOrg(w http.ResponseWriter, r *http.Request) (*identity, string, bool) {
	id, ok := s.caller(w, r)
	if !ok {
		return nil, "", false
	}
	org := r.PathValue("org")
	if !id.canUse(org) {
		writeError(w, http.StatusForbidden, fmt.Sprintf("Forbidden: you do not have access to the organization '%s'", org))
		return nil, "", false
	}
	return id, org, true
}

func (s *server) createEnvironment(w http.ResponseWriter, r *http.Request) {
	_, org, ok := s.escOrg(w, r)
	if !ok {
		return
	}
	var req createEnvironmentRequest
	if !s.decode(w, r, &req) {
		return
	}
	if req.Project == "" || req.Name == "" {
		s.refuse(w, r, http.StatusBadRequest, "an environment needs a project and a name")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := org + "/" + req.Project + "/" + req.Name
	if s.environments[key] != nil {
		writeError(w, http.StatusConflict, fmt.Sprintf("Conflict: environment %s/%s already exists", req.Project, req.Name))
		return
	}
	s.environments[key] = &environment{Org: org, Project: req.Project, Name: req.Name, Definition: []byte("{}\n")}
	w.WriteHeader(http.StatusOK)
}

func (s *server) environmentOf(w http.ResponseWriter, r *http.Request) (*environment, bool) {
	_, org, ok := s.escOrg(w, r)
	if !ok {
		return nil, false
	}
	s.mu.Lock()
	env := s.environments[org+"/"+r.PathValue("project")+"/"+r.PathValue("env")]
	s.mu.Unlock()
	if env == nil {
		writeError(w, http.StatusNotFound, "Not Found: environment not found")
		return nil, false
	}
	return env, true
}

func (s *server) getEnvironment(w http.ResponseWriter, r *http.Request) {
	env, ok := s.environmentOf(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-yaml")
	w.Header().Set("ETag", strconv.Itoa(env.Revision))
	w.Header().Set("Pulumi-ESC-Revision", strconv.Itoa(env.Revision))
	_, _ = w.Write(env.Definition)
}

func diagnosticsOf(diags syntax.Diagnostics) []environmentDiagnostic {
	out := []environmentDiagnostic{}
	for _, d := range diags {
		out = append(out, environmentDiagnostic{Summary: d.Summary, Detail: d.Detail})
	}
	return out
}

func (s *server) updateEnvironment(w http.ResponseWriter, r *http.Request) {
	env, ok := s.environmentOf(w, r)
	if !ok {
		return
	}
	yaml, err := io.ReadAll(r.Body)
	if err != nil {
		s.refuse(w, r, http.StatusBadRequest, err.Error())
		return
	}
	name := env.Project + "/" + env.Name
	_, diags, err := eval.LoadYAMLBytes(name, yaml)
	if err == nil && !diags.HasErrors() {
		yaml, err = eval.EncryptSecrets(r.Context(), name, yaml, s.escCrypter(env.Org))
	}
	if err != nil {
		s.refuse(w, r, http.StatusBadRequest, "the environment definition could not be read: "+err.Error())
		return
	}
	if diags.HasErrors() {
		writeJSON(w, http.StatusBadRequest, environmentErrorResponse{Code: http.StatusBadRequest, Message: "Bad Request", Diagnostics: diagnosticsOf(diags)})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	env.Definition = yaml
	env.Revision++
	w.Header().Set("Pulumi-ESC-Revision", strconv.Itoa(env.Revision))
	writeJSON(w, http.StatusOK, struct{}{})
}

// environmentLoader gives the evaluator the stored definitions an environment imports. An import
// names `project/env`, or `env` alone for the project `default`.
type environmentLoader struct {
	s   *server
	org string
}

func (l environmentLoader) LoadEnvironment(_ context.Context, name string) ([]byte, string, eval.Decrypter, error) {
	project, envName, found := strings.Cut(name, "/")
	if !found {
		project, envName = "default", name
	}
	l.s.mu.Lock()
	env := l.s.environments[l.org+"/"+project+"/"+envName]
	l.s.mu.Unlock()
	if env == nil {
		return nil, "", nil, fmt.Errorf("environment %q not found", name)
	}
	return env.Definition, project + "/" + envName, l.s.escCrypter(l.org), nil
}

func (environmentLoader) AuthorizeImport(context.Context, string, string, bool) error { return nil }

// noProviders: the stand-in runs no ESC provider (fn::open), which would reach a cloud.
type noProviders struct{}

func (noProviders) LoadProvider(_ context.Context, name string) (esc.Provider, error) {
	return nil, fmt.Errorf("the stand-in runs no ESC provider (%s)", name)
}

func (noProviders) LoadRotator(_ context.Context, name string) (esc.Rotator, error) {
	return nil, fmt.Errorf("the stand-in runs no ESC rotator (%s)", name)
}

// literalEnvironment evaluates the literal environment in the body (the CLI sends a stack's
// `environment:` imports as one), opening it or, for `check`, evaluating it symbolically. Nil when
// it answered already.
func (s *server) literalEnvironment(w http.ResponseWriter, r *http.Request, id *identity, org string, check bool, query ...string) *esc.Environment {
	for name := range r.URL.Query() {
		if !slices.Contains(query, name) {
			s.refuse(w, r, http.StatusBadRequest, "the stand-in does not take the query parameter "+name)
			return nil
		}
	}
	yaml, err := io.ReadAll(r.Body)
	if err != nil {
		s.refuse(w, r, http.StatusBadRequest, err.Error())
		return nil
	}
	decl, diags, err := eval.LoadYAMLBytes("<yaml>", yaml)
	if err != nil {
		s.refuse(w, r, http.StatusBadRequest, "the environment could not be read: "+err.Error())
		return nil
	}
	var evaluated *esc.Environment
	if !diags.HasErrors() {
		context, cerr := esc.NewExecContext(map[string]esc.Value{
			"pulumi": esc.NewValue(map[string]esc.Value{"user": esc.NewValue(map[string]esc.Value{"login": esc.NewValue(id.Login)})}),
		})
		if cerr != nil {
			panic(cerr)
		}
		loader, decrypter := environmentLoader{s, org}, s.escCrypter(org)
		if check {
			evaluated, diags = eval.CheckEnvironment(r.Context(), "<yaml>", decl, decrypter, noProviders{}, loader, context, r.URL.Query().Get("showSecrets") == "true", eval.EvalOptions{})
		} else {
			evaluated, diags = eval.EvalEnvironment(r.Context(), "<yaml>", decl, decrypter, noProviders{}, loader, context, eval.EvalOptions{})
		}
	}
	if diags.HasErrors() {
		writeJSON(w, http.StatusBadRequest, environmentErrorResponse{Code: http.StatusBadRequest, Message: "Bad Request", Diagnostics: diagnosticsOf(diags)})
		return nil
	}
	return evaluated
}

// checkYAMLEnvironment is what `pulumi config` shows a stack's environment with.
func (s *server) checkYAMLEnvironment(w http.ResponseWriter, r *http.Request) {
	id, org, ok := s.escOrg(w, r)
	if !ok {
		return
	}
	if checked := s.literalEnvironment(w, r, id, org, true, "showSecrets"); checked != nil {
		writeJSON(w, http.StatusOK, checked)
	}
}

// openYAMLEnvironment opens a literal environment and keeps the result for the CLI to fetch by its id.
func (s *server) openYAMLEnvironment(w http.ResponseWriter, r *http.Request) {
	id, org, ok := s.escOrg(w, r)
	if !ok {
		return
	}
	opened := s.literalEnvironment(w, r, id, org, false, "duration")
	if opened == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sessionID := randomID()
	s.openEnvs[org+"/"+sessionID] = opened
	writeJSON(w, http.StatusOK, struct {
		ID string `json:"id"`
	}{sessionID})
}

func (s *server) getOpenEnvironment(w http.ResponseWriter, r *http.Request) {
	_, org, ok := s.escOrg(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	opened := s.openEnvs[org+"/"+r.PathValue("id")]
	if opened == nil {
		writeError(w, http.StatusNotFound, "Not Found: open environment not found")
		return
	}
	writeJSON(w, http.StatusOK, opened)
}
