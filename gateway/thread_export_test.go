package gateway

import "context"

// ThreadCase exposes threadCase, over the gateway's own store, to the
// external tests.
func (g *Gateway) ThreadCase(ctx context.Context, inReplyTo string, references []string) (int64, error) {
	return g.threadCase(ctx, g.store, inReplyTo, references)
}
