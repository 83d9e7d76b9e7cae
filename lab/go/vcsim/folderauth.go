package main

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/soap"
)

// vcsim serves /folder/ (datastore files) to anyone; vCenter wants a logged-in session
// cookie or HTTP basic credentials. requireLogin registers method-specific /folder/
// patterns, which Go's ServeMux prefers over vcsim's catch-all "/folder/".
func requireLogin(s *simulator.Service, user, password string) {
	if s.ServeMux == nil {
		s.ServeMux = http.NewServeMux()
	}
	guarded := func(w http.ResponseWriter, r *http.Request) {
		if !basicAuthOK(r, user, password) && !sessionCookieOK(s, r) {
			w.Header().Set("WWW-Authenticate", `Basic realm="VMware HTTP server"`)
			http.Error(w, "401 Unauthorized: log in first (session cookie or basic auth)", http.StatusUnauthorized)
			return
		}
		s.ServeDatastore(w, r)
	}
	for _, method := range []string{"GET", "PUT", "POST", "DELETE"} {
		s.ServeMux.HandleFunc(method+" /folder/", guarded)
	}
}

func basicAuthOK(r *http.Request, user, password string) bool {
	u, p, ok := r.BasicAuth()
	return ok && subtle.ConstantTimeCompare([]byte(u), []byte(user)) == 1 &&
		subtle.ConstantTimeCompare([]byte(p), []byte(password)) == 1
}

// sessionCookieOK asks vcsim itself whether the cookie belongs to a live session: the
// SessionManager's currentSession, read with that cookie, carries the session key.
func sessionCookieOK(s *simulator.Service, r *http.Request) bool {
	cookie, err := r.Cookie(soap.SessionCookieName)
	if err != nil || cookie.Value == "" || strings.ContainsAny(cookie.Value, "<>&") {
		return false
	}
	req := httptest.NewRequest(http.MethodPost, "/sdk", strings.NewReader(currentSessionRequest))
	req.AddCookie(&http.Cookie{Name: soap.SessionCookieName, Value: cookie.Value})
	rec := httptest.NewRecorder()
	s.ServeSDK(rec, req)
	return rec.Code == http.StatusOK && strings.Contains(rec.Body.String(), fmt.Sprintf("<key>%s</key>", cookie.Value))
}

const currentSessionRequest = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<soapenv:Body><RetrievePropertiesEx xmlns="urn:vim25">
<_this type="PropertyCollector">propertyCollector</_this>
<specSet><propSet><type>SessionManager</type><pathSet>currentSession</pathSet></propSet>
<objectSet><obj type="SessionManager">SessionManager</obj></objectSet></specSet>
<options></options>
</RetrievePropertiesEx></soapenv:Body></soapenv:Envelope>`
