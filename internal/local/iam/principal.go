package iam

import (
	"net/http"
	"strings"
)

// accessKeyPrefix starts the access key ids kiln gives a role's sessions:
// kilnrole~ROLE~SESSION. "~" is in neither a role name nor a session name, nor in "/",
// which ends the key id in SigV4's Credential.
const accessKeyPrefix = "kilnrole~"

// AccessKeyID returns the access key id whose requests the middleware attributes to a
// session of the role roleName; the secret does not matter (kiln local checks no signature,
// as before).
func AccessKeyID(roleName, session string) string {
	return accessKeyPrefix + roleName + "~" + session
}

// RoleName returns the name of a role ARN (the part after the last "/").
func RoleName(roleARN string) string { return roleARN[strings.LastIndex(roleARN, "/")+1:] }

// PrincipalOf returns the principal of a request from its SigV4 credential (the
// Authorization header or a presigned X-Amz-Credential): a role session for a kiln role key,
// else the account root (the user's own credentials, like test/test).
func (a *Authorizer) PrincipalOf(r *http.Request) Principal {
	key := accessKey(r)
	rest, ok := strings.CutPrefix(key, accessKeyPrefix)
	if !ok {
		return Principal{Account: a.account}
	}
	role, session, _ := strings.Cut(rest, "~")
	return Principal{RoleARN: "arn:aws:iam::" + a.account + ":role/" + role, Session: session, Account: a.account}
}

// accessKey returns the access key id of r's SigV4 credential, or "".
func accessKey(r *http.Request) string {
	key, _, _ := strings.Cut(credentialScope(r), "/")
	return key
}

// credentialScope returns r's SigV4 Credential (KEY/DATE/REGION/SERVICE/aws4_request), from
// the Authorization header or a presigned URL's X-Amz-Credential, or "".
func credentialScope(r *http.Request) string {
	scope := r.URL.Query().Get("X-Amz-Credential")
	if auth := r.Header.Get("Authorization"); auth != "" {
		if _, after, ok := strings.Cut(auth, "Credential="); ok {
			scope, _, _ = strings.Cut(after, ",")
		}
	}
	return strings.TrimSpace(scope)
}
