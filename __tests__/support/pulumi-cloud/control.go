// The test's own routes, under /_standin/ and authorized with the control token: what went wrong
// (problems), what was asked (requests), what the stacks hold, and another client's update in
// progress on a stack, to make the CLI meet Pulumi Cloud's 409 without a second engine running.
package main

import (
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

func (s *server) control(handler http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "control "+s.cfg.ControlToken {
			writeError(w, http.StatusUnauthorized, "Unauthorized")
			return
		}
		handler(w, r)
	}
}

func (s *server) listProblems(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	writeJSON(w, http.StatusOK, append([]string{}, s.problems...))
}

func (s *server) listRequests(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	writeJSON(w, http.StatusOK, append([]requestRecord{}, s.requests...))
}

func (s *server) listIssuedTokens(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	writeJSON(w, http.StatusOK, append([]string{}, s.issued...))
}

type stackDescription struct {
	Name          string                          `json:"name"`
	Tags          map[apitype.StackTagName]string `json:"tags"`
	Version       int                             `json:"version"`
	ResourceCount int                             `json:"resourceCount"`
	// Running is the id of the update holding the stack, if any.
	Running string          `json:"running,omitempty"`
	Updates []updateSummary `json:"updates"`
}

type updateSummary struct {
	ID      string               `json:"id"`
	Kind    apitype.UpdateKind   `json:"kind"`
	DryRun  bool                 `json:"dryRun"`
	Status  apitype.UpdateStatus `json:"status"`
	Version int                  `json:"version"`
	Author  string               `json:"author"`
	// Events is how many engine events the CLI posted.
	Events int `json:"events"`
	// Config is the program's config as the CLI sent it: secrets as ciphertexts.
	Config map[string]apitype.ConfigValue `json:"config,omitempty"`
}

func (s *server) describeStacks(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []stackDescription{}
	for _, st := range s.stacks {
		d := stackDescription{Name: st.key(), Tags: st.Tags, Version: st.Version, ResourceCount: st.resourceCount(), Updates: []updateSummary{}}
		if st.Running != nil {
			d.Running = st.Running.ID
		}
		for _, u := range s.updates {
			if u.Stack == st {
				d.Updates = append(d.Updates, updateSummary{ID: u.ID, Kind: u.Kind, DryRun: u.Program.Options.DryRun, Status: u.Status,
					Version: u.Version, Author: u.Author, Events: len(u.Events), Config: u.Program.Config})
			}
		}
		sort.Slice(d.Updates, func(i, j int) bool { return d.Updates[i].ID < d.Updates[j].ID })
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	writeJSON(w, http.StatusOK, out)
}

// occupyStack starts an update of the stack on behalf of another client, as a second CLI's `up`
// would, and leaves it running until /_standin/updates/{id}/finish.
func (s *server) occupyStack(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stacks[strings.Join([]string{r.PathValue("org"), r.PathValue("project"), r.PathValue("stack")}, "/")]
	if st == nil {
		writeError(w, http.StatusNotFound, "Not Found: no such stack")
		return
	}
	if st.Running != nil {
		writeError(w, http.StatusConflict, conflictMessage)
		return
	}
	u := &update{ID: randomID(), Stack: st, Kind: apitype.UpdateUpdate, Author: "another-client", Started: time.Now(),
		Status: apitype.StatusRunning, Version: st.Version + 1, Program: apitype.UpdateProgramRequest{Name: st.Project}}
	s.updates[u.ID] = u
	st.Running, st.ActiveUpdate = u, u.ID
	writeJSON(w, http.StatusOK, map[string]string{"updateId": u.ID})
}

func (s *server) finishOccupation(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.updates[r.PathValue("id")]
	if u == nil || u.Status != apitype.StatusRunning {
		writeError(w, http.StatusNotFound, "Not Found: no such update in progress")
		return
	}
	s.finish(u, apitype.StatusSucceeded)
	w.WriteHeader(http.StatusNoContent)
}
