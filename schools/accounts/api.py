"""The API token endpoint: a token for a username and password, and for users with two-factor sign-in, the code.

Decision: a user with a confirmed device must send the current code in an ``otp`` field; without it the answer is
400 naming the field, and a wrong code counts as a failed sign-in (django-axes), as on the sign-in page. With
TWO_FACTOR_REQUIRED_FOR_LA_ROLES on, an LA-role user without a device gets no token (403) until they set one up.
Locked-out credentials get 429 before the password is even checked. Calls are also rate-limited per address (the
``api_token`` throttle rate in REST_FRAMEWORK).
"""

from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from schools.accounts import oidc, tokens, two_factor

LOCKED_OUT = two_factor.LOCKED_OUT_MESSAGE


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    otp = serializers.CharField(required=False, allow_blank=True,
                                help_text="The 6-digit code from the authenticator app, for users with two-factor "
                                          "sign-in.")


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()


class ObtainTokenView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "api_token"
    serializer_class = TokenRequestSerializer

    @extend_schema(request=TokenRequestSerializer, responses={
        200: TokenResponseSerializer,
        400: OpenApiResponse(description="Wrong username or password, or the otp code missing or wrong"),
        403: OpenApiResponse(description="Two-factor sign-in is required and not yet set up, or the user signs in "
                                         "only through the council's identity provider"),
        429: OpenApiResponse(description="Locked out after failed attempts, or too many requests"),
    }, auth=[])
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        django_request = request._request  # axes reads and marks the HttpRequest, not DRF's wrapper
        if two_factor.is_locked_out(django_request, data["username"]):
            return Response({"detail": LOCKED_OUT}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        user = authenticate(django_request, username=data["username"], password=data["password"])
        if user is None:
            if getattr(django_request, "axes_locked_out", False):
                return Response({"detail": LOCKED_OUT}, status=status.HTTP_429_TOO_MANY_REQUESTS)
            return Response({"non_field_errors": ["Unable to log in with provided credentials."]},
                            status=status.HTTP_400_BAD_REQUEST)
        if not oidc.password_sign_in_allowed(user):
            return Response({"detail": "Local authority staff sign in with the council account: get an API token "
                                       "from Your account after signing in."}, status=status.HTTP_403_FORBIDDEN)
        device = two_factor.confirmed_device(user)
        if device is not None:
            if not data.get("otp"):
                return Response({"otp": ["Enter the 6-digit code from your authenticator app."]},
                                status=status.HTTP_400_BAD_REQUEST)
            try:
                two_factor.check_code(django_request, user, device, data["otp"])
            except two_factor.CodeRefused as refused:
                if refused.locked:
                    return Response({"detail": LOCKED_OUT}, status=status.HTTP_429_TOO_MANY_REQUESTS)
                return Response({"otp": [refused.message + "."]}, status=status.HTTP_400_BAD_REQUEST)
        elif two_factor.required_for(user):
            return Response({"detail": "Set up two-factor sign-in on your account page before using the API."},
                            status=status.HTTP_403_FORBIDDEN)
        token = tokens.issue(user=user)
        return Response({"token": token.key})


obtain_token = ObtainTokenView.as_view()
