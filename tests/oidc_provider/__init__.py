"""A real OpenID Connect provider for the council sign-in tests, run in a second process (django-oauth-toolkit):
authorization code flow with PKCE, RS256-signed ID tokens with a groups claim, userinfo, JWKS and RP-initiated
logout, plus a small control API the tests use to add people, change their groups and register redirect URIs."""
