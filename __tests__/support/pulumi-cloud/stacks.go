// Stacks: create, get, list, remove, tags, history, state export and import, and the service secrets
// manager that encrypts a stack's secrets with a key only the service holds.
package main

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
)

type stack struct {
	ID, Org, Project, Name string
	Tags                   map[apitype.StackTagName]string
	// Version is the number of the stack's last update (0: never updated).
	Version int
	// Deployment is the stack's state as the last checkpoint left it; nil before the first.
	Deployment *apitype.UntypedDeployment
	// Versions holds the state each update ended with, by version, for `export --version`.
	Versions map[int]apitype.UntypedDeployment
	// Running is the update (not a preview) in progress: Pulumi Cloud's lock on the stack.
	Running      *update
	ActiveUpdate string
	History      []apitype.UpdateInfo
	LastUpdate   int64
}

func (st *stack) key() string { return st.Org + "/" + st.Project + "/" + st.Name }

func (st *stack) resourceCount() int {
	if st.Deployment == nil {
		return 0
	}
	var dep apitype.DeploymentV3
	if err := json.Unmarshal(st.Deployment.Deployment, &dep); err != nil {
		return 0
	}
	return len(dep.Resources)
}

// stackOf finds the stack a route names, for a caller that may use its organization. False when it
// answered already (401, 403, 404).
func (s *server) stackOf(w http.ResponseWriter, r *http.Request) (*stack, *identity, bool) {
	id, ok := s.caller(w, r)
	if !ok {
		return nil, nil, false
	}
	org, project, name := r.PathValue("org"), r.PathValue("project"), r.PathValue("stack")
	if !id.canUse(org) {
		writeError(w, http.StatusForbidden, fmt.Sprintf("Forbidden: you do not have access to the organization '%s'", org))
		return nil, nil, false
	}
	s.mu.Lock()
	st := s.stacks[org+"/"+project+"/"+name]
	s.mu.Unlock()
	if st == nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("Not Found: Stack '%s/%s/%s' not found", org, project, name))
		return nil, nil, false
	}
	return st, id, true
}

func (s *server) projectExists(w http.ResponseWriter, r *http.Request) {
	id, ok := s.caller(w, r)
	if !ok {
		return
	}
	org, project := r.PathValue("org"), r.PathValue("project")
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range s.stacks {
		if id.canUse(org) && st.Org == org && st.Project == project {
			w.WriteHeader(http.StatusOK)
			return
		}
	}
	w.WriteHeader(http.StatusNotFound)
}

func (s *server) createStack(w http.ResponseWriter, r *http.Request) {
	id, ok := s.caller(w, r)
	if !ok {
		return
	}
	var req apitype.CreateStackRequest
	if !s.decode(w, r, &req) {
		return
	}
	org, project := r.PathValue("org"), r.PathValue("project")
	if !id.canUse(org) {
		writeError(w, http.StatusForbidden, fmt.Sprintf("Forbidden: you do not have access to the organization '%s'", org))
		return
	}
	if err := tokens.ValidateProjectName(project); err != nil {
		s.refuse(w, r, http.StatusBadRequest, "invalid project name: "+err.Error())
		return
	}
	if _, err := tokens.ParseStackName(req.StackName); err != nil {
		s.refuse(w, r, http.StatusBadRequest, "invalid stack name: "+err.Error())
		return
	}
	if req.State != nil || req.Config != nil || req.CreateManagedEnvironment || len(req.Teams) > 0 {
		s.refuse(w, r, http.StatusBadRequest, "the stand-in creates stacks without initial state, config, teams or managed environments")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := org + "/" + project + "/" + req.StackName
	if s.stacks[key] != nil {
		writeError(w, http.StatusConflict, fmt.Sprintf("Conflict: Stack '%s' already exists", req.StackName))
		return
	}
	tags := map[apitype.StackTagName]string{}
	for k, v := range req.Tags {
		tags[k] = v
	}
	s.stacks[key] = &stack{ID: randomID(), Org: org, Project: project, Name: req.StackName, Tags: tags, Versions: map[int]apitype.UntypedDeployment{}}
	writeJSON(w, http.StatusOK, apitype.CreateStackResponse{})
}

func (s *server) apiStack(st *stack) apitype.Stack {
	out := apitype.Stack{
		ID: st.ID, OrgName: st.Org, ProjectName: st.Project, StackName: tokens.QName(st.Name),
		ActiveUpdate: st.ActiveUpdate, Tags: st.Tags, Version: st.Version,
	}
	if st.Running != nil {
		out.CurrentOperation = &apitype.OperationStatus{Kind: st.Running.Kind, Author: st.Running.Author, Started: st.Running.Started.Unix()}
	}
	return out
}

func (s *server) getStack(w http.ResponseWriter, r *http.Request) {
	st, _, ok := s.stackOf(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	writeJSON(w, http.StatusOK, s.apiStack(st))
}

func (s *server) listStacks(w http.ResponseWriter, r *http.Request) {
	id, ok := s.caller(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	for name := range q {
		switch name {
		case "project", "organization", "tagName", "tagValue", "continuationToken":
		default:
			s.refuse(w, r, http.StatusBadRequest, "unknown query parameter "+name)
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	summaries := []apitype.StackSummary{}
	for _, st := range s.stacks {
		if !id.canUse(st.Org) ||
			(q.Has("project") && st.Project != q.Get("project")) ||
			(q.Has("organization") && st.Org != q.Get("organization")) ||
			(q.Has("tagName") && !hasTag(st, q.Get("tagName"), q["tagValue"])) {
			continue
		}
		summary := apitype.StackSummary{ID: st.ID, OrgName: st.Org, ProjectName: st.Project, StackName: st.Name}
		if st.Version > 0 {
			last, count := st.LastUpdate, st.resourceCount()
			summary.LastUpdate, summary.ResourceCount = &last, &count
		}
		summaries = append(summaries, summary)
	}
	sort.Slice(summaries, func(i, j int) bool {
		a, b := summaries[i], summaries[j]
		return a.OrgName+"/"+a.ProjectName+"/"+a.StackName < b.OrgName+"/"+b.ProjectName+"/"+b.StackName
	})
	writeJSON(w, http.StatusOK, apitype.ListStacksResponse{Stacks: summaries})
}

func hasTag(st *stack, name string, value []string) bool {
	v, ok := st.Tags[apitype.StackTagName(name)]
	return ok && (len(value) == 0 || value[0] == v)
}

func (s *server) deleteStack(w http.ResponseWriter, r *http.Request) {
	st, _, ok := s.stackOf(w, r)
	if !ok {
		return
	}
	force := r.URL.Query().Get("force") == "true"
	s.mu.Lock()
	defer s.mu.Unlock()
	if st.Running != nil {
		writeError(w, http.StatusConflict, "Conflict: Another update is currently in progress.")
		return
	}
	// The CLI recognises this answer by its exact words (client.go's isStackHasResourcesError).
	if st.resourceCount() > 0 && !force {
		writeError(w, http.StatusBadRequest, "Bad Request: Stack still contains resources.")
		return
	}
	delete(s.stacks, st.key())
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) updateTags(w http.ResponseWriter, r *http.Request) {
	st, _, ok := s.stackOf(w, r)
	if !ok {
		return
	}
	var tags map[apitype.StackTagName]string
	if !s.decode(w, r, &tags) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st.Tags = tags
	w.WriteHeader(http.StatusNoContent)
}

// emptyDeployment is what Pulumi Cloud exports for a stack no update has written yet: a version 3
// deployment whose manifest is empty.
func emptyDeployment() apitype.UntypedDeployment {
	raw, _ := json.Marshal(apitype.DeploymentV3{})
	return apitype.UntypedDeployment{Version: apitype.DeploymentSchemaVersionCurrent, Deployment: raw}
}

func (s *server) exportStack(w http.ResponseWriter, r *http.Request) {
	st, _, ok := s.stackOf(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if v := r.PathValue("version"); v != "" {
		n, err := strconv.Atoi(v)
		dep, found := st.Versions[n]
		if err != nil || !found {
			writeError(w, http.StatusNotFound, fmt.Sprintf("Not Found: Stack version %s not found", v))
			return
		}
		writeJSON(w, http.StatusOK, apitype.ExportStackResponse(dep))
		return
	}
	if st.Deployment == nil {
		writeJSON(w, http.StatusOK, apitype.ExportStackResponse(emptyDeployment()))
		return
	}
	writeJSON(w, http.StatusOK, apitype.ExportStackResponse(*st.Deployment))
}

// checkDeployment decodes a deployment into its schema's type, unknown fields refused.
func checkDeployment(dep apitype.UntypedDeployment) error {
	if dep.Version != apitype.DeploymentSchemaVersionCurrent && dep.Version != apitype.DeploymentSchemaVersionLatest {
		return fmt.Errorf("deployment version %d", dep.Version)
	}
	var typed apitype.DeploymentV3
	return strictJSON(dep.Deployment, &typed)
}

func (s *server) importStack(w http.ResponseWriter, r *http.Request) {
	st, id, ok := s.stackOf(w, r)
	if !ok {
		return
	}
	var req apitype.UntypedDeployment
	if !s.decode(w, r, &req) {
		return
	}
	if err := checkDeployment(req); err != nil {
		s.refuse(w, r, http.StatusBadRequest, "the imported deployment does not fit apitype.DeploymentV3: "+err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if st.Running != nil {
		writeError(w, http.StatusConflict, "Conflict: Another update is currently in progress.")
		return
	}
	// An import is an update the service carries out itself: done by the time it answers.
	u := &update{ID: randomID(), Stack: st, Kind: apitype.StackImportUpdate, Author: id.Login, Started: time.Now(), Status: apitype.StatusSucceeded, Version: st.Version + 1}
	s.updates[u.ID] = u
	st.Deployment = &req
	s.recordUpdate(st, u, apitype.UpdateInfo{Kind: apitype.StackImportUpdate, Result: apitype.SucceededResult})
	writeJSON(w, http.StatusOK, apitype.ImportStackResponse{UpdateID: u.ID})
}

// recordUpdate makes a finished update (not a preview) the stack's latest version, in its history.
func (s *server) recordUpdate(st *stack, u *update, info apitype.UpdateInfo) {
	now := time.Now()
	st.Version = u.Version
	st.ActiveUpdate = u.ID
	st.LastUpdate = now.Unix()
	if st.Deployment != nil {
		st.Versions[u.Version] = *st.Deployment
	}
	info.StartTime, info.EndTime, info.Version = u.Started.Unix(), now.Unix(), u.Version
	info.ResourceCount = st.resourceCount()
	if info.Environment == nil {
		info.Environment = map[string]string{}
	}
	if info.Config == nil {
		info.Config = map[string]apitype.ConfigValue{}
	}
	st.History = append([]apitype.UpdateInfo{info}, st.History...)
}

func (s *server) history(w http.ResponseWriter, r *http.Request) {
	st, _, ok := s.stackOf(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	updates := st.History
	q := r.URL.Query()
	if q.Has("pageSize") {
		size, _ := strconv.Atoi(q.Get("pageSize"))
		page, _ := strconv.Atoi(q.Get("page"))
		if size < 1 || page < 1 {
			s.refuse(w, r, http.StatusBadRequest, "pageSize and page must be positive")
			return
		}
		from := min((page-1)*size, len(updates))
		updates = updates[from:min(from+size, len(updates))]
	}
	writeJSON(w, http.StatusOK, apitype.GetHistoryResponse{Updates: updates})
}

func (s *server) latestUpdate(w http.ResponseWriter, r *http.Request) {
	st, _, ok := s.stackOf(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(st.History) == 0 {
		writeError(w, http.StatusNotFound, "Not Found: Stack has no updates")
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Info apitype.UpdateInfo `json:"info"`
	}{st.History[0]})
}

// The service secrets manager: AES-256-GCM under a key of this server's and the stack's identity, so
// a ciphertext opens only for the stack it was made for (as Pulumi Cloud's per-stack keys do).
func (s *server) stackCipher(st *stack) cipher.AEAD {
	key := sha256.Sum256(append(append([]byte{}, s.secretKey...), st.ID...))
	block, err := aes.NewCipher(key[:])
	if err != nil {
		panic(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return aead
}

func (s *server) seal(st *stack, plaintext []byte) []byte {
	aead := s.stackCipher(st)
	nonce := randomBytes(aead.NonceSize())
	return aead.Seal(nonce, nonce, plaintext, nil)
}

func (s *server) open(st *stack, ciphertext []byte) ([]byte, error) {
	aead := s.stackCipher(st)
	if len(ciphertext) < aead.NonceSize() {
		return nil, fmt.Errorf("ciphertext too short")
	}
	return aead.Open(nil, ciphertext[:aead.NonceSize()], ciphertext[aead.NonceSize():], nil)
}

func (s *server) encrypt(w http.ResponseWriter, r *http.Request) {
	st, _, ok := s.stackOf(w, r)
	if !ok {
		return
	}
	var req apitype.EncryptValueRequest
	if !s.decode(w, r, &req) {
		return
	}
	writeJSON(w, http.StatusOK, apitype.EncryptValueResponse{Ciphertext: s.seal(st, req.Plaintext)})
}

func (s *server) batchEncrypt(w http.ResponseWriter, r *http.Request) {
	st, _, ok := s.stackOf(w, r)
	if !ok {
		return
	}
	var req apitype.BatchEncryptRequest
	if !s.decode(w, r, &req) {
		return
	}
	out := make([][]byte, len(req.Plaintexts))
	for i, p := range req.Plaintexts {
		out[i] = s.seal(st, p)
	}
	writeJSON(w, http.StatusOK, apitype.BatchEncryptResponse{Ciphertexts: out})
}

func (s *server) decrypt(w http.ResponseWriter, r *http.Request) {
	st, _, ok := s.stackOf(w, r)
	if !ok {
		return
	}
	var req apitype.DecryptValueRequest
	if !s.decode(w, r, &req) {
		return
	}
	plaintext, err := s.open(st, req.Ciphertext)
	if err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request: the value could not be decrypted for this stack")
		return
	}
	writeJSON(w, http.StatusOK, apitype.DecryptValueResponse{Plaintext: plaintext})
}

func (s *server) batchDecrypt(w http.ResponseWriter, r *http.Request) {
	st, _, ok := s.stackOf(w, r)
	if !ok {
		return
	}
	var req apitype.BatchDecryptRequest
	if !s.decode(w, r, &req) {
		return
	}
	// Keyed by each ciphertext in base64, as the CLI looks them up (secrets/service's BatchDecrypt).
	out := map[string][]byte{}
	for _, c := range req.Ciphertexts {
		plaintext, err := s.open(st, c)
		if err != nil {
			writeError(w, http.StatusBadRequest, "Bad Request: a value could not be decrypted for this stack")
			return
		}
		out[base64.StdEncoding.EncodeToString(c)] = plaintext
	}
	writeJSON(w, http.StatusOK, apitype.BatchDecryptResponse{Plaintexts: out})
}

func (s *server) logDecryption(w http.ResponseWriter, r *http.Request) {
	if _, _, ok := s.stackOf(w, r); !ok {
		return
	}
	var req apitype.Log3rdPartyDecryptionEvent
	if !s.decode(w, r, &req) {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
