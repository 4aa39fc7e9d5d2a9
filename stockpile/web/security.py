"""Security headers on every response and secure cookies outside development."""

from __future__ import annotations

from flask import Flask, Response
from werkzeug.middleware.proxy_fix import ProxyFix

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
    _trust_proxies(app)


def _trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, the client's address (sign-in throttling, the audit log) and scheme
    come from their X-Forwarded-* headers; with none trusted, such headers are ignored (anyone could send them)."""
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]
