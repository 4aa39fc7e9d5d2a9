"""Security headers on every response and secure cookies outside development."""

from __future__ import annotations

from flask import Flask, Response

# No inline script anywhere: the pages work without JavaScript, so scripts are refused outright.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def add_security_headers(response: Response) -> Response:
    """Set the security headers unless a view chose its own."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    """Headers on every response; cookies Secure except in development and tests (plain http there)."""
    development = app.config.get("ENV_NAME") == "development" or app.testing or app.debug
    app.config["SESSION_COOKIE_SECURE"] = not development
    app.config["REMEMBER_COOKIE_SECURE"] = not development
    app.config["REMEMBER_COOKIE_HTTPONLY"] = True
    app.after_request(add_security_headers)
