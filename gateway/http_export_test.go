package gateway

import "net/http"

// Handler exposes the gateway's HTTP routes to the external tests, which
// serve them with httptest instead of running the gateway.
func (g *Gateway) Handler() http.Handler { return g.routes() }
