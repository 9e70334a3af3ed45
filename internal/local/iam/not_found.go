package iam

import (
	"context"
	"net/http"
	"strings"
)

// missingObjectGuard returns w for an allowed S3 object read (GetObject, HeadObject) made by
// p: when the object does not exist (the service answers 404), S3 tells the caller so only
// if it may s3:ListBucket the bucket for the key's prefix; otherwise it answers 403
// AccessDenied, as the S3 user guide says of GetObject without ListBucket. Any other request
// gets w unchanged.
func (a *Authorizer) missingObjectGuard(ctx context.Context, w http.ResponseWriter, p Principal, d Described) http.ResponseWriter {
	if d.Protocol != ProtocolS3 || len(d.Calls) != 1 || d.Calls[0].Action != "s3:GetObject" {
		return w
	}
	rest, ok := strings.CutPrefix(d.Calls[0].Resource, "arn:aws:s3:::")
	if !ok {
		return w
	}
	bucket, key, _ := strings.Cut(rest, "/")
	list := Call{Action: "s3:ListBucket", Resource: "arn:aws:s3:::" + bucket, Context: secure()}
	list.Context["s3:prefix"] = key
	return &notFoundGuard{ResponseWriter: w, d: d, check: func() error { return a.Authorize(ctx, p, list) }}
}

// notFoundGuard turns a 404 into the AccessDenied check denies; it writes the rest through.
type notFoundGuard struct {
	http.ResponseWriter
	d      Described
	check  func() error
	wrote  bool
	denied bool
}

func (g *notFoundGuard) WriteHeader(code int) {
	if g.wrote {
		return
	}
	g.wrote = true
	if code == http.StatusNotFound {
		if err := g.check(); err != nil {
			g.denied = true
			g.Header().Del("Content-Length")
			WriteDenied(g.ResponseWriter, g.d, err)
			return
		}
	}
	g.ResponseWriter.WriteHeader(code)
}

func (g *notFoundGuard) Write(b []byte) (int, error) {
	if !g.wrote {
		g.WriteHeader(http.StatusOK)
	}
	if g.denied {
		return len(b), nil // the service's NoSuchKey body, replaced by the denial
	}
	return g.ResponseWriter.Write(b)
}
