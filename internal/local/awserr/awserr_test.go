package awserr

import (
	"encoding/json"
	"encoding/xml"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEachProtocolGetsItsOwnErrorShape(t *testing.T) {
	cases := []struct {
		name        string
		p           Protocol
		contentType string
		header      string // X-Amzn-ErrorType, "" when the protocol has none
		root        string // XML root, "" for JSON
	}{
		{"JSON 1.0 carries __type and the error header", JSON10, "application/x-amz-json-1.0", "Boom", ""},
		{"JSON 1.1 carries __type and the error header", JSON11, "application/x-amz-json-1.1", "Boom", ""},
		{"REST-JSON carries the error header", RESTJSON, "application/json", "Boom", ""},
		{"the query protocol writes an ErrorResponse", Query, "text/xml", "", "ErrorResponse"},
		{"REST-XML writes an ErrorResponse", RESTXML, "text/xml", "", "ErrorResponse"},
		{"EC2 writes a Response with Errors", EC2, "text/xml", "", "Response"},
		{"S3 writes an Error", S3, "text/xml", "", "Error"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			Write(w, tc.p, 400, "Boom", "it broke")
			assert.Equal(t, 400, w.Code)
			assert.Equal(t, tc.contentType, w.Header().Get("Content-Type"))
			assert.Equal(t, tc.header, w.Header().Get("X-Amzn-ErrorType"))
			if tc.root == "" {
				var doc map[string]string
				require.NoError(t, json.Unmarshal(w.Body.Bytes(), &doc))
				assert.Equal(t, "it broke", doc["message"])
				return
			}
			var doc struct {
				XMLName xml.Name
				Code    string `xml:"Code"`
				Nested  string `xml:"Error>Code"`
				EC2     string `xml:"Errors>Error>Code"`
			}
			require.NoError(t, xml.Unmarshal(w.Body.Bytes(), &doc), w.Body.String())
			assert.Equal(t, tc.root, doc.XMLName.Local)
			assert.Equal(t, "Boom", doc.Code+doc.Nested+doc.EC2)
		})
	}
}
