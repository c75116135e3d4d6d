package twiliotest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/triage-gw/triage/channels/twilio/twiliotest"
)

// The parts of Twilio's OpenAPI description (shared/twilio-oai beside the
// repository) that the stand-in is checked against.
type (
	oaiDoc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]oaiSchema `json:"schemas"`
		} `json:"components"`
	}
	oaiOperation struct {
		OperationID string `json:"operationId"`
		RequestBody struct {
			Content map[string]struct {
				Schema oaiSchema `json:"schema"`
			} `json:"content"`
		} `json:"requestBody"`
		Responses map[string]struct {
			Content map[string]struct {
				Schema oaiSchema `json:"schema"`
			} `json:"content"`
		} `json:"responses"`
		XTwilio struct {
			// Conditional lists groups of parameters (in snake case) of
			// which a request needs at least one.
			Conditional [][]string `json:"conditional"`
		} `json:"x-twilio"`
	}
	oaiSchema struct {
		Required   []string                   `json:"required"`
		Properties map[string]json.RawMessage `json:"properties"`
	}
)

// loadOAI reads twilio_api_v2010.json from the nearest shared/twilio-oai
// above the package, or skips the test.
func loadOAI(t *testing.T) oaiDoc {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("getwd: %v", err)
	}
	for {
		path := filepath.Join(dir, "shared", "twilio-oai", "twilio_api_v2010.json")
		if b, err := os.ReadFile(path); err == nil {
			var doc oaiDoc
			if err := json.Unmarshal(b, &doc); err != nil {
				t.Fatalf("parse %s: %v", path, err)
			}
			return doc
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("no shared/twilio-oai/twilio_api_v2010.json in any directory above the package: Twilio's OpenAPI description is not checked")
		}
		dir = parent
	}
}

// operation returns the operation of method on path.
func (d oaiDoc) operation(t *testing.T, path, method string) oaiOperation {
	t.Helper()
	var op oaiOperation
	if err := json.Unmarshal(d.Paths[path][method], &op); err != nil || op.OperationID == "" {
		t.Fatalf("no %s %s in the OpenAPI description (%v)", method, path, err)
	}
	return op
}

// formName maps a snake-case parameter name of x-twilio to the form field
// of the request body it names.
func formName(t *testing.T, body oaiSchema, snake string) string {
	t.Helper()
	want := strings.ReplaceAll(snake, "_", "")
	for name := range body.Properties {
		if strings.EqualFold(name, want) {
			return name
		}
	}
	t.Fatalf("x-twilio conditional %q names no request body property", snake)
	return ""
}

func TestCreatesRefuseWhatTheOpenAPIDescriptionRequires(t *testing.T) {
	t.Parallel()
	doc := loadOAI(t)
	srv := setup(t)
	g := newGateway(t, nil, map[string]reply{"/voice": {twiml: "<Response/>"}})
	valid := map[string]string{
		"To": agent, "From": ours, "Body": "hi", "MediaUrl": "https://example.com/cat.png",
		"MessagingServiceSid": "MG0123456789abcdef0123456789abcdef", "ContentSid": "HX0123456789abcdef0123456789abcdef",
		"Url": g.URLOf("/voice"), "Twiml": "<Response><Say>hi</Say></Response>",
		"ApplicationSid": "AP0123456789abcdef0123456789abcdef",
	}
	placed := 0
	for _, tt := range []struct{ resource, operationID string }{
		{"Messages", "CreateMessage"}, {"Calls", "CreateCall"},
	} {
		path := "/2010-04-01/Accounts/{AccountSid}/" + tt.resource + ".json"
		op := doc.operation(t, path, "post")
		if op.OperationID != tt.operationID {
			t.Fatalf("POST %s is %s, want %s", path, op.OperationID, tt.operationID)
		}
		body := op.RequestBody.Content["application/x-www-form-urlencoded"].Schema
		var groups [][]string
		for _, g := range op.XTwilio.Conditional {
			var names []string
			for _, snake := range g {
				names = append(names, formName(t, body, snake))
			}
			groups = append(groups, names)
		}
		complete := func() url.Values {
			f := url.Values{}
			for _, name := range body.Required {
				f.Set(name, valid[name])
			}
			for _, g := range groups {
				f.Set(g[0], valid[g[0]])
			}
			return f
		}
		post := func(form url.Values) int {
			var out map[string]any
			return postTo(t, srv, tt.resource, form, &out)
		}
		if status := post(complete()); status != http.StatusCreated {
			t.Errorf("%s with %v = %d, want 201", tt.operationID, complete(), status)
		}
		for _, name := range body.Required {
			f := complete()
			f.Del(name)
			if status := post(f); status != http.StatusBadRequest {
				t.Errorf("%s without required %s = %d, want 400", tt.operationID, name, status)
			}
		}
		for _, g := range groups {
			f := complete()
			for _, name := range g {
				f.Del(name)
			}
			if status := post(f); status != http.StatusBadRequest {
				t.Errorf("%s without any of %v = %d, want 400", tt.operationID, g, status)
			}
			for _, name := range g[1:] { // each alternative is enough
				f := complete()
				f.Del(g[0])
				f.Set(name, valid[name])
				if status := post(f); status != http.StatusCreated {
					t.Errorf("%s with %s instead of %s = %d, want 201", tt.operationID, name, g[0], status)
				}
			}
		}
		if tt.resource == "Calls" {
			placed = len(srv.Calls())
		}
	}
	if placed != 3 || len(srv.Messages()) != 4 {
		t.Errorf("recorded %d calls and %d messages, want 3 and 4 (the accepted creates)", placed, len(srv.Messages()))
	}
	waitEnded(t, srv, placed)
}

// postTo POSTs form to the account's resource ("Messages" or "Calls") and
// decodes the JSON answer into out.
func postTo(t *testing.T, srv *twiliotest.Server, resource string, form url.Values, out any) int {
	t.Helper()
	u := srv.URL() + "/2010-04-01/Accounts/" + accountSID + "/" + resource + ".json"
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(accountSID, authToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatalf("POST %s answered %s with undecodable JSON: %v", u, resp.Status, err)
	}
	return resp.StatusCode
}

func TestResourcesCarryEveryPropertyOfTheOpenAPIDescription(t *testing.T) {
	t.Parallel()
	doc := loadOAI(t)
	srv := setup(t)
	var msg, call map[string]any
	if status := postTo(t, srv, "Messages", url.Values{"To": {customer}, "From": {ours}, "Body": {"hi"}}, &msg); status != 201 {
		t.Fatalf("create message = %d %v", status, msg)
	}
	if status := postTo(t, srv, "Calls", url.Values{"To": {agent}, "From": {ours}, "Twiml": {"<Response/>"}}, &call); status != 201 {
		t.Fatalf("create call = %d %v", status, call)
	}
	waitEnded(t, srv, 1)
	for _, tt := range []struct {
		resource, schema, items string
		created                 map[string]any
	}{
		{"Messages", "api.v2010.account.message", "messages", msg},
		{"Calls", "api.v2010.account.call", "calls", call},
	} {
		want := doc.Components.Schemas[tt.schema].Properties
		if len(want) == 0 {
			t.Fatalf("no schema %s in the OpenAPI description", tt.schema)
		}
		missing := func(got map[string]any, want map[string]json.RawMessage) []string {
			var out []string
			for name := range want {
				if _, ok := got[name]; !ok {
					out = append(out, name)
				}
			}
			slices.Sort(out)
			return out
		}
		if m := missing(tt.created, want); len(m) > 0 {
			t.Errorf("created %s resource lacks %v of %s", tt.resource, m, tt.schema)
		}
		var page map[string]any
		if status := list(t, srv, "/2010-04-01/Accounts/"+accountSID+"/"+tt.resource+".json", authToken, &page); status != 200 {
			t.Fatalf("list %s = %d %v", tt.resource, status, page)
		}
		pageSchema := doc.operation(t, "/2010-04-01/Accounts/{AccountSid}/"+tt.resource+".json", "get").
			Responses["200"].Content["application/json"].Schema
		if m := missing(page, pageSchema.Properties); len(m) > 0 || len(pageSchema.Properties) == 0 {
			t.Errorf("%s list page lacks %v of the OpenAPI list response", tt.resource, m)
		}
		items, _ := page[tt.items].([]any)
		if len(items) != 1 {
			t.Fatalf("%s list %s = %v, want one", tt.resource, tt.items, page[tt.items])
		}
		if m := missing(items[0].(map[string]any), want); len(m) > 0 {
			t.Errorf("listed %s resource lacks %v of %s", tt.resource, m, tt.schema)
		}
	}
}
