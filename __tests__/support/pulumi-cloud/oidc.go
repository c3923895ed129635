// Pulumi Cloud's OAuth token exchange (RFC 8693): an ID token from an issuer an organization trusts
// (GitHub Actions, for the action) becomes a short-lived Pulumi access token of the type and scope
// the policy allows. Pulumi documents the request (POST /api/oauth/token, docs "OAuth Token
// Exchange") and answers errors in RFC 6749's shape, {"error", "error_description"}, which its own
// clients read (the CLI forwards the body; pulumi/auth-actions prints both fields).
//
// The ID token is checked as a relying party checks one: signed with RS256 by a key the issuer
// publishes (found through its OpenID discovery document), for the audience asked, not expired,
// and its claims matching one of the organization's policies.
package main

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

// oidcIssuer is an organization's trust in an issuer (Pulumi Cloud: Settings > OIDC Issuers).
type oidcIssuer struct {
	Org string `json:"org"`
	// URL is the issuer (`iss`); its keys are found at URL/.well-known/openid-configuration.
	URL      string       `json:"url"`
	Policies []oidcPolicy `json:"policies"`
}

// oidcPolicy lets tokens whose claims match (each rule a glob over one claim) become tokens of one
// type: `organization`, `team` (of TeamName) or `personal` (of UserLogin). Pulumi's authorization
// policies have these fields, and a decision, which here is always allow.
type oidcPolicy struct {
	TokenType string            `json:"tokenType"`
	TeamName  string            `json:"teamName,omitempty"`
	UserLogin string            `json:"userLogin,omitempty"`
	Rules     map[string]string `json:"rules"`
}

const (
	tokenExchangeGrant = "urn:ietf:params:oauth:grant-type:token-exchange"
	idTokenType        = "urn:ietf:params:oauth:token-type:id_token"
	accessTokenPrefix  = "urn:pulumi:token-type:access_token:"
	defaultExpiration  = 2 * time.Hour
)

func oauthError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}

func (s *server) tokenExchange(w http.ResponseWriter, r *http.Request) {
	form, ok := s.tokenRequest(w, r)
	if !ok {
		return
	}
	if form["grant_type"] != tokenExchangeGrant {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "only "+tokenExchangeGrant+" is supported")
		return
	}
	if form["subject_token_type"] != idTokenType {
		oauthError(w, http.StatusBadRequest, "invalid_request", "only "+idTokenType+" is supported as subject_token_type")
		return
	}
	org, found := strings.CutPrefix(form["audience"], "urn:pulumi:org:")
	if !found || org == "" {
		oauthError(w, http.StatusBadRequest, "invalid_request", "audience must be urn:pulumi:org:ORG_NAME")
		return
	}
	tokenType, found := strings.CutPrefix(form["requested_token_type"], accessTokenPrefix)
	scope := form["scope"]
	var team, user string
	switch {
	case !found:
		oauthError(w, http.StatusBadRequest, "invalid_request", "requested_token_type must start with "+accessTokenPrefix)
		return
	case tokenType == "organization" && (scope == "" || scope == "admin"):
	case tokenType == "team" && strings.HasPrefix(scope, "team:"):
		team = strings.TrimPrefix(scope, "team:")
	case tokenType == "personal" && strings.HasPrefix(scope, "user:"):
		user = strings.TrimPrefix(scope, "user:")
	default:
		oauthError(w, http.StatusBadRequest, "invalid_scope", fmt.Sprintf("scope %q does not fit the requested token type %q", scope, tokenType))
		return
	}
	expiration := defaultExpiration
	if raw := form["expiration"]; raw != "" && raw != "0" {
		seconds, err := strconv.Atoi(raw)
		if err != nil || seconds < 0 {
			oauthError(w, http.StatusBadRequest, "invalid_request", "expiration must be a number of seconds")
			return
		}
		expiration = time.Duration(seconds) * time.Second
	}
	claims, err := s.verifyIDToken(form["subject_token"], org, form["audience"])
	if err != nil {
		oauthError(w, http.StatusUnauthorized, "invalid_grant", err.Error())
		return
	}
	if !s.policyAllows(org, claims, tokenType, team, user) {
		oauthError(w, http.StatusUnauthorized, "invalid_grant",
			fmt.Sprintf("no authorization policy of the OIDC issuer %v allows a %s token for these claims", claims["iss"], tokenType))
		return
	}
	issued := &identity{Login: org, Organizations: []string{org}, DefaultOrg: org, Expires: time.Now().Add(expiration),
		TokenInfo: &serviceTokenInfo{Name: "oidc", Organization: org, Team: team}}
	if tokenType == "personal" {
		issued.Login, issued.TokenInfo = user, &serviceTokenInfo{Name: "oidc"}
	}
	token := "pul-" + hex.EncodeToString(randomBytes(20))
	s.mu.Lock()
	s.identities[token] = issued
	s.issued = append(s.issued, token)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, apitype.TokenExchangeGrantResponse{
		AccessToken: token, IssuedTokenType: accessTokenPrefix + tokenType, TokenType: "Bearer",
		ExpiresIn: int64(expiration / time.Second), Scope: scope,
	})
}

// tokenRequest reads the exchange's parameters: a form, as the CLI sends them, or a JSON object, as
// pulumi/auth-actions does. An unknown parameter is a problem.
func (s *server) tokenRequest(w http.ResponseWriter, r *http.Request) (map[string]string, bool) {
	form := map[string]string{}
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mediaType {
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			s.refuse(w, r, http.StatusBadRequest, "the form could not be read: "+err.Error())
			return nil, false
		}
		for name, values := range r.PostForm {
			if len(values) != 1 {
				s.refuse(w, r, http.StatusBadRequest, "the parameter "+name+" is given more than once")
				return nil, false
			}
			form[name] = values[0]
		}
	case "application/json":
		var body map[string]any
		if !s.decode(w, r, &body) {
			return nil, false
		}
		for name, value := range body {
			form[name] = fmt.Sprint(value)
		}
	default:
		s.refuse(w, r, http.StatusUnsupportedMediaType, "a token request of type "+mediaType)
		return nil, false
	}
	for name := range form {
		switch name {
		case "audience", "grant_type", "requested_token_type", "scope", "subject_token_type", "subject_token", "expiration":
		default:
			s.refuse(w, r, http.StatusBadRequest, "the token request has the unknown parameter "+name)
			return nil, false
		}
	}
	return form, true
}

func (s *server) verifyIDToken(token, org, audience string) (map[string]any, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("the subject token is not a JWT")
	}
	var header struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	var claims map[string]any
	if err := decodeSegment(parts[0], &header); err != nil {
		return nil, err
	}
	if err := decodeSegment(parts[1], &claims); err != nil {
		return nil, err
	}
	issuer, _ := claims["iss"].(string)
	if !s.trusts(org, issuer) {
		return nil, fmt.Errorf("the organization %s does not trust the issuer %q", org, issuer)
	}
	if header.Alg != "RS256" {
		return nil, fmt.Errorf("the token is signed with %q, not RS256", header.Alg)
	}
	key, err := issuerKey(issuer, header.Kid)
	if err != nil {
		return nil, err
	}
	signature, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, fmt.Errorf("the token's signature is not base64url")
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], signature); err != nil {
		return nil, fmt.Errorf("the token's signature does not verify")
	}
	if claims["aud"] != audience {
		return nil, fmt.Errorf("the token's audience %v is not %s", claims["aud"], audience)
	}
	now := float64(time.Now().Unix())
	exp, _ := claims["exp"].(float64)
	nbf, _ := claims["nbf"].(float64)
	if exp <= now || nbf > now+60 {
		return nil, fmt.Errorf("the token has expired or is not valid yet")
	}
	return claims, nil
}

func decodeSegment(segment string, into any) error {
	raw, err := base64.RawURLEncoding.DecodeString(segment)
	if err == nil {
		err = json.Unmarshal(raw, into)
	}
	if err != nil {
		return fmt.Errorf("the subject token is not a JWT: %v", err)
	}
	return nil
}

func (s *server) trusts(org, issuer string) bool {
	for _, i := range s.cfg.OIDCIssuers {
		if i.Org == org && i.URL == issuer {
			return true
		}
	}
	return false
}

func (s *server) policyAllows(org string, claims map[string]any, tokenType, team, user string) bool {
	for _, i := range s.cfg.OIDCIssuers {
		if i.Org != org || i.URL != claims["iss"] {
			continue
		}
		for _, p := range i.Policies {
			if p.TokenType == tokenType && p.TeamName == team && p.UserLogin == user && rulesMatch(p.Rules, claims) {
				return true
			}
		}
	}
	return false
}

// rulesMatch: every rule's claim is there and matches its pattern, where `*` stands for any text.
func rulesMatch(rules map[string]string, claims map[string]any) bool {
	for claim, pattern := range rules {
		value, ok := claims[claim].(string)
		if !ok {
			return false
		}
		parts := strings.Split(pattern, "*")
		for i, part := range parts {
			parts[i] = regexp.QuoteMeta(part)
		}
		if !regexp.MustCompile("^" + strings.Join(parts, ".*") + "$").MatchString(value) {
			return false
		}
	}
	return true
}

// issuerKey finds the issuer's signing key through its discovery document and key set.
func issuerKey(issuer, kid string) (*rsa.PublicKey, error) {
	var discovery struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := getJSON(strings.TrimSuffix(issuer, "/")+"/.well-known/openid-configuration", &discovery); err != nil {
		return nil, err
	}
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
			Kty string `json:"kty"`
			N   string `json:"n"`
			E   string `json:"e"`
		} `json:"keys"`
	}
	if err := getJSON(discovery.JWKSURI, &set); err != nil {
		return nil, err
	}
	for _, k := range set.Keys {
		if k.Kid != kid || k.Kty != "RSA" {
			continue
		}
		n, errN := base64.RawURLEncoding.DecodeString(k.N)
		e, errE := base64.RawURLEncoding.DecodeString(k.E)
		if errN != nil || errE != nil {
			return nil, fmt.Errorf("the issuer's key %s is malformed", kid)
		}
		return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}, nil
	}
	return nil, fmt.Errorf("the issuer publishes no key %q", kid)
}

func getJSON(url string, into any) error {
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return fmt.Errorf("could not reach %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %d", url, resp.StatusCode)
	}
	return json.Unmarshal(body, into)
}
