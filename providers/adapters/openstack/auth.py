"""The five ways to sign in to Keystone (guide §2.6.1, §4.4.1.3), from a Forklift provider Secret.

Forklift's Secret says only `authType` (password | token | applicationcredential); which of the
two token or two application-credential variants is meant follows from the keys present.
"""

from __future__ import annotations

from keystoneauth1.identity import v3

PASSWORD = "password"
TOKEN_WITH_USER_ID = "token_user_id"
TOKEN_WITH_USER_NAME = "token_user_name"
APP_CREDENTIAL_ID = "application_credential_id"
APP_CREDENTIAL_NAME = "application_credential_name"

METHOD_LABELS = {
    PASSWORD: "Password",
    TOKEN_WITH_USER_ID: "Token with user ID",
    TOKEN_WITH_USER_NAME: "Token with user name",
    APP_CREDENTIAL_ID: "Application credential ID",
    APP_CREDENTIAL_NAME: "Application credential name",
}

# Forklift's authType for each method.
AUTH_TYPES = {
    PASSWORD: "password",
    TOKEN_WITH_USER_ID: "token",
    TOKEN_WITH_USER_NAME: "token",
    APP_CREDENTIAL_ID: "applicationcredential",
    APP_CREDENTIAL_NAME: "applicationcredential",
}

# The Secret keys each method uses; regionName is optional for all of them.
METHOD_KEYS = {
    PASSWORD: ["username", "password", "domainName", "projectName", "regionName"],
    TOKEN_WITH_USER_ID: ["token", "userID", "projectID", "regionName"],
    TOKEN_WITH_USER_NAME: ["token", "username", "domainName", "projectName", "regionName"],
    APP_CREDENTIAL_ID: ["applicationCredentialID", "applicationCredentialSecret", "regionName"],
    APP_CREDENTIAL_NAME: ["applicationCredentialName", "applicationCredentialSecret", "username", "domainName",
                          "regionName"],
}
OPTIONAL_KEYS = {"regionName"}


def method_of(credentials: dict) -> str:
    auth_type = (credentials.get("authType") or "password").lower()
    if auth_type == "token":
        with_id = credentials.get("userID") or credentials.get("projectID")
        return TOKEN_WITH_USER_ID if with_id else TOKEN_WITH_USER_NAME
    if auth_type == "applicationcredential":
        return APP_CREDENTIAL_ID if credentials.get("applicationCredentialID") else APP_CREDENTIAL_NAME
    return PASSWORD


def auth_plugin(url: str, credentials: dict):
    """The keystoneauth plugin for these credentials (domainName is the user's and the project's domain)."""
    c = credentials.get
    method = method_of(credentials)
    if method == PASSWORD:
        return v3.Password(auth_url=url, username=c("username"), password=c("password"),
                           user_domain_name=c("domainName"), project_name=c("projectName"),
                           project_domain_name=c("domainName"))
    if method == TOKEN_WITH_USER_ID:
        return v3.Token(auth_url=url, token=c("token"), project_id=c("projectID"))
    if method == TOKEN_WITH_USER_NAME:
        return v3.Token(auth_url=url, token=c("token"), project_name=c("projectName"),
                        project_domain_name=c("domainName"))
    if method == APP_CREDENTIAL_ID:
        return v3.ApplicationCredential(auth_url=url, application_credential_id=c("applicationCredentialID"),
                                        application_credential_secret=c("applicationCredentialSecret"))
    return v3.ApplicationCredential(auth_url=url, application_credential_name=c("applicationCredentialName"),
                                    application_credential_secret=c("applicationCredentialSecret"),
                                    username=c("username"), user_domain_name=c("domainName"))


def refused_message(credentials: dict, detail: str) -> str:
    """What to check when Keystone answers 401, per method (detail: Keystone's own words, never a secret)."""
    method = method_of(credentials)
    said = f" Keystone said: “{detail}”" if detail and "requires authentication" not in detail else ""
    if method == PASSWORD:
        return ("Keystone refused the sign-in (HTTP 401): check the user name, password, domain name and "
                f"project name.{said}")
    if method in (TOKEN_WITH_USER_ID, TOKEN_WITH_USER_NAME):
        return ("Keystone refused the token (HTTP 401): it is mistyped, expired or revoked, or not valid for "
                f"the project. Issue a new one with `openstack token issue` and enter it with its project.{said}")
    return ("Keystone refused the application credential (HTTP 401): check the credential "
            f"{'ID' if method == APP_CREDENTIAL_ID else 'name, user name, domain'} and the secret; the credential "
            "may have expired or been deleted (create one with `openstack application credential create`)."
            f"{said}")
