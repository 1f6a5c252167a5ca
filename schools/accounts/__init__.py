"""Signing in: the sign-in forms, two-factor (TOTP) set-up and checks, API token sign-in and the session timeout."""
