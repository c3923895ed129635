// Updates of every kind (update, preview, refresh, destroy, and their dry runs): created, started
// under a lease token, fed checkpoints and engine events, completed or cancelled. A stack has one
// update in progress at most; starting another is the 409 the CLI reports as a concurrent update.
// Previews and dry runs take no lock, as on Pulumi Cloud.
package main

import (
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

// leaseDuration is how long a lease token lasts before the CLI must renew it.
const leaseDuration = 5 * time.Minute

type update struct {
	ID      string
	Stack   *stack
	Kind    apitype.UpdateKind
	Program apitype.UpdateProgramRequest
	Author  string
	Started time.Time
	Status  apitype.UpdateStatus
	// Version is the stack version the update becomes (for a dry run, the one it would).
	Version      int
	Token        string
	TokenExpires time.Time
	Events       []apitype.EngineEvent
}

// locks says whether the update holds the stack: every kind but previews and dry runs.
func (u *update) locks() bool {
	return u.Kind != apitype.PreviewUpdate && !u.Program.Options.DryRun
}

const conflictMessage = "Conflict: Another update is currently in progress."

func (s *server) createUpdate(kind apitype.UpdateKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		st, id, ok := s.stackOf(w, r)
		if !ok {
			return
		}
		var req apitype.UpdateProgramRequest
		if !s.decode(w, r, &req) {
			return
		}
		if req.Name != st.Project {
			s.refuse(w, r, http.StatusBadRequest, fmt.Sprintf("the program's project %q is not the stack's %q", req.Name, st.Project))
			return
		}
		if kind == apitype.PreviewUpdate && !req.Options.DryRun {
			s.refuse(w, r, http.StatusBadRequest, "a preview that is not a dry run")
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		u := &update{ID: randomID(), Stack: st, Kind: kind, Program: req, Author: id.Login, Status: apitype.StatusNotStarted}
		s.updates[u.ID] = u
		writeJSON(w, http.StatusOK, apitype.UpdateProgramResponse{UpdateID: u.ID})
	}
}

// updateOf finds the update a route names, on the stack it names.
func (s *server) updateOf(w http.ResponseWriter, r *http.Request, st *stack) (*update, bool) {
	u := s.updates[r.PathValue("id")]
	if u == nil || u.Stack != st {
		writeError(w, http.StatusNotFound, "Not Found: Update not found")
		return nil, false
	}
	return u, true
}

func (s *server) startUpdate(w http.ResponseWriter, r *http.Request) {
	st, _, ok := s.stackOf(w, r)
	if !ok {
		return
	}
	var req apitype.StartUpdateRequest
	if !s.decode(w, r, &req) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.updateOf(w, r, st)
	if !ok {
		return
	}
	if u.Status != apitype.StatusNotStarted {
		s.refuseLocked(w, r, http.StatusBadRequest, "the update was started already")
		return
	}
	if u.locks() {
		if st.Running != nil {
			writeError(w, http.StatusConflict, conflictMessage)
			return
		}
		// The update `pulumi cancel` finds and cancels: the latest one to hold the stack.
		st.Running, st.ActiveUpdate = u, u.ID
	}
	if req.Tags != nil {
		st.Tags = req.Tags
	}
	u.Status, u.Started, u.Version = apitype.StatusRunning, time.Now(), st.Version+1
	u.Token, u.TokenExpires = hex.EncodeToString(randomBytes(24)), time.Now().Add(leaseDuration)
	// Journal version 0: the CLI sends whole checkpoints rather than journal entries.
	writeJSON(w, http.StatusOK, apitype.StartUpdateResponse{Version: u.Version, Token: u.Token, TokenExpiration: u.TokenExpires.Unix()})
}

// leased finds the running update a lease-token request is for. The CLI authorizes these with the
// update's lease token (`Authorization: update-token …`), never its API token.
func (s *server) leased(w http.ResponseWriter, r *http.Request) (*update, bool) {
	kind, credential, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if kind != "update-token" {
		s.refuse(w, r, http.StatusUnauthorized, "an update's route called without its lease token")
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.updates[r.PathValue("id")]
	if u == nil || u.Stack.key() != r.PathValue("org")+"/"+r.PathValue("project")+"/"+r.PathValue("stack") {
		s.refuseLocked(w, r, http.StatusNotFound, "no such update")
		return nil, false
	}
	if credential != u.Token || time.Now().After(u.TokenExpires) {
		writeError(w, http.StatusUnauthorized, "Unauthorized: the update's lease token is invalid or has expired")
		return nil, false
	}
	if u.Status != apitype.StatusRunning {
		writeError(w, http.StatusConflict, fmt.Sprintf("Conflict: The update is not in progress (%s).", u.Status))
		return nil, false
	}
	return u, true
}

// refuseLocked is refuse for a caller that holds s.mu.
func (s *server) refuseLocked(w http.ResponseWriter, r *http.Request, status int, why string) {
	s.problems = append(s.problems, fmt.Sprintf("%s %s: %s", r.Method, r.URL.Path, why))
	writeError(w, status, fmt.Sprintf("%s: %s", http.StatusText(status), why))
}

func (s *server) renewLease(w http.ResponseWriter, r *http.Request) {
	var req apitype.RenewUpdateLeaseRequest
	if !s.decode(w, r, &req) {
		return
	}
	u, ok := s.leased(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u.TokenExpires = time.Now().Add(time.Duration(req.Duration) * time.Second)
	writeJSON(w, http.StatusOK, apitype.RenewUpdateLeaseResponse{Token: u.Token, TokenExpiration: u.TokenExpires.Unix()})
}

func (s *server) patchCheckpoint(w http.ResponseWriter, r *http.Request) {
	var req apitype.PatchUpdateCheckpointRequest
	if !s.decode(w, r, &req) {
		return
	}
	u, ok := s.leased(w, r)
	if !ok {
		return
	}
	dep := apitype.UntypedDeployment{Version: req.Version, Features: req.Features, Deployment: req.Deployment}
	if err := checkDeployment(dep); err != nil {
		s.refuse(w, r, http.StatusBadRequest, "the checkpoint does not fit apitype.DeploymentV3: "+err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !u.locks() {
		s.refuseLocked(w, r, http.StatusBadRequest, "a checkpoint for a preview")
		return
	}
	if req.IsInvalid {
		s.refuseLocked(w, r, http.StatusBadRequest, "the CLI marked its checkpoint invalid")
		return
	}
	// Pulumi Cloud keeps each checkpoint as it comes: an update that dies leaves the last one.
	u.Stack.Deployment = &dep
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) postEvents(w http.ResponseWriter, r *http.Request) {
	var req apitype.EngineEventBatch
	if !s.decode(w, r, &req) {
		return
	}
	u, ok := s.leased(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u.Events = append(u.Events, req.Events...)
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) completeUpdate(w http.ResponseWriter, r *http.Request) {
	var req apitype.CompleteUpdateRequest
	if !s.decode(w, r, &req) {
		return
	}
	u, ok := s.leased(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch req.Status {
	case apitype.StatusSucceeded, apitype.StatusFailed, apitype.UpdateStatusCancelled:
	default:
		s.refuseLocked(w, r, http.StatusBadRequest, fmt.Sprintf("completed with status %q", req.Status))
		return
	}
	s.finish(u, req.Status)
	w.WriteHeader(http.StatusNoContent)
}

// finish ends an update; one that held the stack becomes its latest version and releases it.
func (s *server) finish(u *update, status apitype.UpdateStatus) {
	u.Status = status
	if !u.locks() {
		return
	}
	st := u.Stack
	st.Running = nil
	result := apitype.SucceededResult
	if status != apitype.StatusSucceeded {
		result = apitype.FailedResult
	}
	info := apitype.UpdateInfo{
		Kind: u.Kind, Message: u.Program.Metadata.Message, Environment: u.Program.Metadata.Environment,
		Config: u.Program.Config, Result: result,
	}
	for _, e := range u.Events {
		if e.SummaryEvent != nil {
			info.ResourceChanges = map[apitype.OpType]int{}
			for op, n := range e.SummaryEvent.ResourceChanges {
				info.ResourceChanges[op] = n
			}
		}
	}
	s.recordUpdate(st, u, info)
}

// cancelUpdate is `pulumi cancel`: the update ends as cancelled and the stack is free again. The CLI
// authorizes it with its API token, since the update's own process may be gone.
func (s *server) cancelUpdate(w http.ResponseWriter, r *http.Request) {
	st, _, ok := s.stackOf(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.updateOf(w, r, st)
	if !ok {
		return
	}
	if u.Status != apitype.StatusRunning && u.Status != apitype.StatusNotStarted {
		writeError(w, http.StatusBadRequest, "Bad Request: The update is not in progress.")
		return
	}
	s.finish(u, apitype.UpdateStatusCancelled)
	w.WriteHeader(http.StatusNoContent)
}

// updateStatus is what the CLI polls while the service carries out an update itself (an import).
func (s *server) updateStatus(w http.ResponseWriter, r *http.Request) {
	st, _, ok := s.stackOf(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.updateOf(w, r, st)
	if !ok {
		return
	}
	results := apitype.UpdateResults{Status: u.Status, Events: []apitype.UpdateEvent{}}
	if u.Status == apitype.StatusRunning || u.Status == apitype.StatusNotStarted {
		// More to come: the CLI asks again with this token.
		token := "more"
		results.ContinuationToken = &token
	}
	writeJSON(w, http.StatusOK, results)
}
