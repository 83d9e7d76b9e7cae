# Who may use the OPA server mtvweb validates with (opa run --authentication=token
# --authorization=basic, providers/validation/opa.py): whoever presents the token the server was
# started with, MTVWEB_OPA_TOKEN, the only variable of its environment. Anyone may ask whether it is up.
# The digests are compared, not the tokens, so the time a comparison takes says nothing about the token.
package system.authz

import rego.v1

default allow := false

allow if {
	token := opa.runtime().env.MTVWEB_OPA_TOKEN
	token != ""
	crypto.sha256(input.identity) == crypto.sha256(token)
}

allow if {
	input.method == "GET"
	input.path == ["health"]
}
