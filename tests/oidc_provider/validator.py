"""The claims the test provider puts in ID tokens and userinfo: email, names and the person's groups (as Microsoft
Entra ID sends a groups claim)."""

from oauth2_provider.oauth2_validators import OAuth2Validator


class Validator(OAuth2Validator):
    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "groups": "profile"}

    def get_additional_claims(self, request):
        user = request.user
        return {"email": user.email, "given_name": user.first_name, "family_name": user.last_name,
                "preferred_username": user.username, "groups": sorted(g.name for g in user.groups.all())}
