// A stand-in for Pulumi Cloud's HTTP API, for the tests of pulumi-stack-action. Pulumi Cloud cannot be
// reached from where the tests run, and it is the backend most of the action's users have, so the
// tests run the real Pulumi CLI (and the action) against this server instead.
//
// It answers the routes the CLI's own client calls (pkg/backend/httpstate/client and
// pkg/cmd/esc/cli/client in Pulumi's source) for logging in, stacks, updates of each kind, state
// export and import, the service secrets manager, ESC environments and the OIDC token exchange, and
// keeps everything in memory. Every request body is decoded into Pulumi's own API types (the Go
// package sdk/v3/go/common/apitype, the very types the CLI encodes them from) with unknown fields
// refused, and ESC environments are evaluated by Pulumi's own evaluator (sdk/v3/go/common/esc/eval).
// A route it does not know, a body that does not fit its type or a request made with the wrong kind
// of credentials is answered with an error as Pulumi Cloud would answer it, and recorded as a
// problem: the tests read the problems (GET /_standin/problems) and fail on any.
//
// Usage: pulumi-cloud-stand-in CONFIG.json. It serves HTTPS on 127.0.0.1 on a free port and prints
// one line of JSON, {"url": "https://127.0.0.1:PORT"}, once it listens; it stops on SIGTERM or when
// its standard input closes, so a test that dies leaves no server behind.
package main

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/esc"
)

// config is what the test gives the stand-in: its certificate, the accounts and their tokens, and
// the OIDC issuers organizations trust.
type config struct {
	CertFile string `json:"certFile"`
	KeyFile  string `json:"keyFile"`
	// ControlToken authorizes the test's own requests under /_standin/.
	ControlToken string       `json:"controlToken"`
	Users        []userConfig `json:"users"`
	OIDCIssuers  []oidcIssuer `json:"oidcIssuers"`
}

type userConfig struct {
	// Token is the user's access token (PULUMI_ACCESS_TOKEN).
	Token         string   `json:"token"`
	Login         string   `json:"login"`
	Organizations []string `json:"organizations"`
	// DefaultOrg is what GET /api/user/organizations/default answers; empty for none.
	DefaultOrg string `json:"defaultOrg"`
}

// identity is whoever a token stands for: a user, or an organization or team for the tokens an OIDC
// token exchange issues.
type identity struct {
	Login         string
	Organizations []string
	DefaultOrg    string
	TokenInfo     *serviceTokenInfo
	Expires       time.Time
}

func (id *identity) canUse(org string) bool {
	if org == id.Login {
		return true
	}
	for _, o := range id.Organizations {
		if o == org {
			return true
		}
	}
	return false
}

type requestRecord struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	Query  string `json:"query,omitempty"`
	Status int    `json:"status"`
	// Auth is the kind of credentials the request carried: token, update-token, or none.
	Auth string `json:"auth"`
}

type server struct {
	mu  sync.Mutex
	cfg config
	mux *http.ServeMux

	identities   map[string]*identity
	stacks       map[string]*stack
	updates      map[string]*update
	environments map[string]*environment
	openEnvs     map[string]*esc.Environment
	secretKey    []byte

	problems []string
	requests []requestRecord
	// issued holds the access tokens the OIDC token exchange issued, for the tests to look for.
	issued []string
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: pulumi-cloud-stand-in CONFIG.json")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(configFile string) error {
	raw, err := os.ReadFile(configFile)
	if err != nil {
		return err
	}
	var cfg config
	if err := strictJSON(raw, &cfg); err != nil {
		return fmt.Errorf("%s: %w", configFile, err)
	}
	s := newServer(cfg)
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	out, _ := json.Marshal(map[string]string{"url": "https://" + listener.Addr().String()})
	fmt.Println(string(out))
	go func() {
		// The test holds the other end of standard input: when it goes, so does the stand-in.
		_, _ = io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	return http.ServeTLS(listener, s, cfg.CertFile, cfg.KeyFile)
}

func newServer(cfg config) *server {
	s := &server{
		cfg:          cfg,
		mux:          http.NewServeMux(),
		identities:   map[string]*identity{},
		stacks:       map[string]*stack{},
		updates:      map[string]*update{},
		environments: map[string]*environment{},
		openEnvs:     map[string]*esc.Environment{},
		secretKey:    randomBytes(32),
	}
	for _, u := range cfg.Users {
		s.identities[u.Token] = &identity{Login: u.Login, Organizations: u.Organizations, DefaultOrg: u.DefaultOrg}
	}
	s.routes()
	return s
}

func (s *server) routes() {
	m := s.mux
	m.HandleFunc("GET /api/capabilities", s.capabilities)
	m.HandleFunc("GET /api/user", s.user)
	m.HandleFunc("GET /api/user/organizations/default", s.defaultOrg)
	m.HandleFunc("GET /api/user/stacks", s.listStacks)
	m.HandleFunc("POST /api/oauth/token", s.tokenExchange)

	m.HandleFunc("HEAD /api/stacks/{org}/{project}", s.projectExists)
	m.HandleFunc("POST /api/stacks/{org}/{project}", s.createStack)
	m.HandleFunc("GET /api/stacks/{org}/{project}/{stack}", s.getStack)
	m.HandleFunc("DELETE /api/stacks/{org}/{project}/{stack}", s.deleteStack)
	m.HandleFunc("PATCH /api/stacks/{org}/{project}/{stack}/tags", s.updateTags)
	m.HandleFunc("GET /api/stacks/{org}/{project}/{stack}/export", s.exportStack)
	m.HandleFunc("GET /api/stacks/{org}/{project}/{stack}/export/{version}", s.exportStack)
	m.HandleFunc("POST /api/stacks/{org}/{project}/{stack}/import", s.importStack)
	m.HandleFunc("GET /api/stacks/{org}/{project}/{stack}/updates", s.history)
	m.HandleFunc("GET /api/stacks/{org}/{project}/{stack}/updates/latest", s.latestUpdate)
	m.HandleFunc("POST /api/stacks/{org}/{project}/{stack}/encrypt", s.encrypt)
	m.HandleFunc("POST /api/stacks/{org}/{project}/{stack}/decrypt", s.decrypt)
	m.HandleFunc("POST /api/stacks/{org}/{project}/{stack}/batch-encrypt", s.batchEncrypt)
	m.HandleFunc("POST /api/stacks/{org}/{project}/{stack}/batch-decrypt", s.batchDecrypt)
	m.HandleFunc("POST /api/stacks/{org}/{project}/{stack}/decrypt/log-decryption", s.logDecryption)
	m.HandleFunc("POST /api/stacks/{org}/{project}/{stack}/decrypt/log-batch-decryption", s.logDecryption)

	// Updates of every kind are created at their own route; the client then addresses each one at
	// .../update/{id}, whatever its kind.
	for _, kind := range []apitype.UpdateKind{apitype.UpdateUpdate, apitype.PreviewUpdate, apitype.RefreshUpdate, apitype.DestroyUpdate} {
		m.HandleFunc("POST /api/stacks/{org}/{project}/{stack}/"+string(kind), s.createUpdate(kind))
	}
	m.HandleFunc("GET /api/stacks/{org}/{project}/{stack}/update/{id}", s.updateStatus)
	m.HandleFunc("POST /api/stacks/{org}/{project}/{stack}/update/{id}", s.startUpdate)
	m.HandleFunc("POST /api/stacks/{org}/{project}/{stack}/update/{id}/renew_lease", s.renewLease)
	m.HandleFunc("PATCH /api/stacks/{org}/{project}/{stack}/update/{id}/checkpoint", s.patchCheckpoint)
	m.HandleFunc("POST /api/stacks/{org}/{project}/{stack}/update/{id}/events/batch", s.postEvents)
	m.HandleFunc("POST /api/stacks/{org}/{project}/{stack}/update/{id}/complete", s.completeUpdate)
	m.HandleFunc("POST /api/stacks/{org}/{project}/{stack}/update/{id}/cancel", s.cancelUpdate)

	m.HandleFunc("POST /api/esc/environments/{org}", s.createEnvironment)
	m.HandleFunc("GET /api/esc/environments/{org}/{project}/{env}", s.getEnvironment)
	m.HandleFunc("PATCH /api/esc/environments/{org}/{project}/{env}", s.updateEnvironment)
	m.HandleFunc("POST /api/esc/environments/{org}/yaml/check", s.checkYAMLEnvironment)
	m.HandleFunc("POST /api/esc/environments/{org}/yaml/open", s.openYAMLEnvironment)
	m.HandleFunc("GET /api/esc/environments/{org}/yaml/open/{id}", s.getOpenEnvironment)

	m.HandleFunc("GET /_standin/problems", s.control(s.listProblems))
	m.HandleFunc("GET /_standin/requests", s.control(s.listRequests))
	m.HandleFunc("GET /_standin/stacks", s.control(s.describeStacks))
	m.HandleFunc("GET /_standin/issued-tokens", s.control(s.listIssuedTokens))
	m.HandleFunc("POST /_standin/stacks/{org}/{project}/{stack}/occupy", s.control(s.occupyStack))
	m.HandleFunc("POST /_standin/updates/{id}/finish", s.control(s.finishOccupation))

	m.HandleFunc("/", s.unknownRoute)
}

// ServeHTTP decompresses gzip-encoded bodies (the CLI compresses checkpoints, events and batches)
// and records every request.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Content-Encoding") == "gzip" {
		body, err := gzip.NewReader(r.Body)
		if err != nil {
			s.refuse(w, r, http.StatusBadRequest, "the body is not gzip-encoded as Content-Encoding says: "+err.Error())
			return
		}
		r.Body = body
	}
	recorder := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	s.mux.ServeHTTP(recorder, r)
	kind, _, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if kind == "" {
		kind = "none"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !strings.HasPrefix(r.URL.Path, "/_standin/") {
		s.requests = append(s.requests, requestRecord{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Status: recorder.status, Auth: kind})
	}
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

func (s *server) unknownRoute(w http.ResponseWriter, r *http.Request) {
	s.refuse(w, r, http.StatusNotFound, "a route the stand-in does not know")
}

// refuse answers an error as Pulumi Cloud does and records it as a problem: the client asked for
// something the real service would refuse too, or that the stand-in cannot vouch for.
func (s *server) refuse(w http.ResponseWriter, r *http.Request, status int, why string) {
	s.mu.Lock()
	s.problems = append(s.problems, fmt.Sprintf("%s %s: %s", r.Method, r.URL.Path, why))
	s.mu.Unlock()
	writeError(w, status, fmt.Sprintf("%s: %s", http.StatusText(status), why))
}

func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, apitype.ErrorResponse{Code: status, Message: message})
}

func writeJSON(w http.ResponseWriter, status int, value any) {
	body, err := json.Marshal(value)
	if err != nil {
		panic(err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// decode reads the request body into `into`, one of the API's own types, refusing unknown fields
// and anything after the value. False when it did not fit (and the request is answered).
func (s *server) decode(w http.ResponseWriter, r *http.Request, into any) bool {
	body, err := io.ReadAll(r.Body)
	if err == nil {
		err = strictJSON(body, into)
	}
	if err != nil {
		s.refuse(w, r, http.StatusBadRequest, fmt.Sprintf("the body does not fit %T: %v", into, err))
		return false
	}
	return true
}

func strictJSON(body []byte, into any) error {
	decoder := json.NewDecoder(bytes.NewReader(body))
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(into); err != nil {
		return err
	}
	if decoder.More() {
		return errors.New("more than one JSON value")
	}
	return nil
}

// caller is the identity of an API token (`Authorization: token …`). A request without one is
// answered 401 as Pulumi Cloud answers it; one that carries an update's lease token where the
// client must send its API token is a problem.
func (s *server) caller(w http.ResponseWriter, r *http.Request) (*identity, bool) {
	kind, credential, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if kind == "update-token" {
		s.refuse(w, r, http.StatusUnauthorized, "an update's lease token where the API token belongs")
		return nil, false
	}
	s.mu.Lock()
	id, known := s.identities[credential]
	s.mu.Unlock()
	if kind != "token" || !known || (!id.Expires.IsZero() && time.Now().After(id.Expires)) {
		writeError(w, http.StatusUnauthorized, "Unauthorized: No credentials provided or are invalid.")
		return nil, false
	}
	return id, true
}

func (s *server) capabilities(w http.ResponseWriter, r *http.Request) {
	// Batch encryption, as Pulumi Cloud offers it; no delta or journal checkpoints, so the CLI
	// sends whole checkpoints, which the stand-in can check against the deployment's type.
	batch := apitype.APICapabilityConfig{Capability: apitype.BatchEncrypt}
	writeJSON(w, http.StatusOK, apitype.CapabilitiesResponse{Capabilities: []apitype.APICapabilityConfig{batch}})
}

// The shapes of GET /api/user's answer, as the CLI's client declares them (client.go's serviceUser).
type serviceUser struct {
	ID            string            `json:"id"`
	GitHubLogin   string            `json:"githubLogin"`
	Name          string            `json:"name"`
	Email         string            `json:"email"`
	AvatarURL     string            `json:"avatarUrl"`
	Organizations []serviceUserInfo `json:"organizations"`
	Identities    []string          `json:"identities"`
	TokenInfo     *serviceTokenInfo `json:"tokenInfo,omitempty"`
}

type serviceUserInfo struct {
	Name        string `json:"name"`
	GitHubLogin string `json:"githubLogin"`
	AvatarURL   string `json:"avatarUrl"`
}

type serviceTokenInfo struct {
	Name         string `json:"name"`
	Organization string `json:"organization,omitempty"`
	Team         string `json:"team,omitempty"`
}

func (s *server) user(w http.ResponseWriter, r *http.Request) {
	id, ok := s.caller(w, r)
	if !ok {
		return
	}
	orgs := []serviceUserInfo{}
	for _, org := range id.Organizations {
		orgs = append(orgs, serviceUserInfo{Name: org, GitHubLogin: org})
	}
	writeJSON(w, http.StatusOK, serviceUser{ID: id.Login, GitHubLogin: id.Login, Name: id.Login, Organizations: orgs, Identities: []string{}, TokenInfo: id.TokenInfo})
}

func (s *server) defaultOrg(w http.ResponseWriter, r *http.Request) {
	id, ok := s.caller(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, apitype.GetDefaultOrganizationResponse{GitHubLogin: id.DefaultOrg})
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return b
}

func randomID() string {
	b := randomBytes(16)
	// A version-4 UUID, as Pulumi Cloud's update IDs are.
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
