package iam

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"net/http"

	"github.com/aws/smithy-go/encoding/cbor"

	"github.com/kiln-dev/kiln/internal/topology"
)

// Middleware returns next behind an IAM check: a request signed with a role's access key
// (see AccessKeyID) is authorized under that role before next sees it, and a denied one is
// answered as its service answers AccessDenied. Requests with other credentials (the
// account root) and non-AWS paths pass untouched; with a nil authorizer or mode off it
// returns next.
func (a *Authorizer) Middleware(env topology.Env, next http.Handler) http.Handler {
	if a == nil || a.mode == ModeOff {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := a.PrincipalOf(r)
		if p.Root() {
			next.ServeHTTP(w, r)
			return
		}
		d := DescribeHTTP(r, env)
		if d.Protocol == ProtocolNone {
			next.ServeHTTP(w, r)
			return
		}
		if err := a.Authorize(r.Context(), p, d.Calls...); err != nil {
			WriteDenied(w, d, err)
			return
		}
		next.ServeHTTP(a.missingObjectGuard(r.Context(), w, p, d), r)
	})
}

// WriteDenied answers err in the protocol of d: JSON AccessDeniedException (400), S3's
// AccessDenied XML (403), SNS's AuthorizationError and CloudWatch's AccessDenied query XML
// (403), or CloudWatch's RPC v2 CBOR error.
func WriteDenied(w http.ResponseWriter, d Described, err error) {
	msg := err.Error()
	id := requestID()
	w.Header().Set("X-Amzn-RequestId", id)
	switch d.Protocol {
	case ProtocolS3:
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusForbidden)
		_ = xml.NewEncoder(w).Encode(struct {
			XMLName   xml.Name `xml:"Error"`
			Code      string
			Message   string
			RequestID string `xml:"RequestId"`
		}{Code: "AccessDenied", Message: msg, RequestID: id})
	case ProtocolQuery:
		code, ns := "AccessDenied", "http://monitoring.amazonaws.com/doc/2010-08-01/"
		if d.Service == "sns" {
			code, ns = "AuthorizationError", "http://sns.amazonaws.com/doc/2010-03-31/"
		}
		type errBody struct{ Type, Code, Message string }
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusForbidden)
		_ = xml.NewEncoder(w).Encode(struct {
			XMLName   xml.Name `xml:"ErrorResponse"`
			NS        string   `xml:"xmlns,attr"`
			Error     errBody
			RequestID string `xml:"RequestId"`
		}{NS: ns, Error: errBody{"Sender", code, msg}, RequestID: id})
	case ProtocolCBOR:
		w.Header().Set("Content-Type", "application/cbor")
		w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write(cbor.Encode(cbor.Map{"__type": cbor.String("AccessDenied"), "message": cbor.String(msg)}))
	default:
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("X-Amzn-ErrorType", "AccessDeniedException")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": "AccessDeniedException", "message": msg, "Message": msg})
	}
}

func requestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
