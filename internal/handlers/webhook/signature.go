package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

const signaturePrefix = "sha256="

// Sign returns GitHub's X-Hub-Signature-256 value for body: "sha256=" and the hex
// HMAC-SHA256 of body keyed with secret.
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return signaturePrefix + hex.EncodeToString(m.Sum(nil))
}

// Verify reports whether signature is GitHub's signature of body under secret, comparing in
// constant time; when it is not, the message says what is wrong with it.
func Verify(secret, body []byte, signature string) (string, bool) {
	if signature == "" {
		return "missing X-Hub-Signature-256 header", false
	}
	hexSum, ok := strings.CutPrefix(signature, signaturePrefix)
	if !ok {
		return "X-Hub-Signature-256 does not start with sha256=", false
	}
	got, err := hex.DecodeString(hexSum)
	if err != nil || len(got) != sha256.Size {
		return "X-Hub-Signature-256 is not a hex SHA-256 digest", false
	}
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	if !hmac.Equal(got, m.Sum(nil)) {
		return "X-Hub-Signature-256 does not match the body", false
	}
	return "", true
}

// body returns the raw body GitHub signed, base64-decoded when the function URL flagged it,
// or the 413/400 answer for a body over the limit or undecodable.
func (h *Handler) body(req events.LambdaFunctionURLRequest) ([]byte, *bodyError) {
	limit := h.maxBody()
	tooLarge := &bodyError{status: http.StatusRequestEntityTooLarge, msg: "body exceeds the limit of " + strconv.Itoa(limit) + " bytes"}
	if !req.IsBase64Encoded {
		if len(req.Body) > limit {
			return nil, tooLarge
		}
		return []byte(req.Body), nil
	}
	if base64.StdEncoding.DecodedLen(len(req.Body)) > limit+3 {
		return nil, tooLarge
	}
	b, err := base64.StdEncoding.DecodeString(req.Body)
	if err != nil {
		return nil, &bodyError{status: http.StatusBadRequest, msg: "body is flagged base64 but does not decode: " + err.Error()}
	}
	if len(b) > limit {
		return nil, tooLarge
	}
	return b, nil
}
