"""DRF token authentication held to the two-factor rules (schools.accounts.two_factor). Its own module: settings name it
in DEFAULT_AUTHENTICATION_CLASSES, which DRF imports while rest_framework.views is still loading, so it must not import
any view."""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from schools.accounts import tokens, two_factor


class TwoFactorTokenAuthentication(TokenAuthentication):
    """Token authentication that holds tokens to their expiry (schools.accounts.tokens) and to
    TWO_FACTOR_REQUIRED_FOR_LA_ROLES: a token issued before the setting was turned on stops working for an LA-role
    user until they set up two-factor sign-in."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if not tokens.still_valid(token):
            raise exceptions.AuthenticationFailed("Your API token has expired or was revoked: get a new one at "
                                                  "/api/auth/token/.")
        if two_factor.required_for(user) and not two_factor.has_device(user):
            raise exceptions.AuthenticationFailed("Set up two-factor sign-in on your account page before using the "
                                                  "API.")
        return user, token
