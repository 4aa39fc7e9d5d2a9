"""Security headers on every response and secure cookies outside development."""

from __future__ import annotations

from flask import Flask, Response, current_app, request
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


# What may not be kept by a browser or a proxy: pages, API answers and downloads all hold stock and people's data.
PRIVATE_MIMETYPES = {"text/html", "application/json", "text/csv",
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def add_security_headers(response: Response) -> Response:
    """Set the security headers unless a view chose its own."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if response.mimetype in PRIVATE_MIMETYPES or request.path.startswith("/api/"):
        response.headers.setdefault("Cache-Control", "no-store")
    hsts = current_app.extensions.get("stockpile.hsts")
    if hsts:
        response.headers.setdefault("Strict-Transport-Security", hsts)
    return response


def is_development(app: Flask) -> bool:
    """Development and tests run on plain http: no Secure cookies unless asked for, no HSTS."""
    return app.config.get("ENV_NAME") == "development" or app.testing or app.debug


def init_app(app: Flask) -> None:
    """Headers on every response; cookies Secure except in development and tests unless
    STOCKPILE_SESSION_COOKIE_SECURE decides; HSTS outside development."""
    development = is_development(app)
    if app.config.get("SESSION_COOKIE_SECURE") is None:
        app.config["SESSION_COOKIE_SECURE"] = not development
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]
    app.config["REMEMBER_COOKIE_HTTPONLY"] = True
    seconds = int(app.config["HSTS_SECONDS"])
    app.extensions["stockpile.hsts"] = f"max-age={seconds}; includeSubDomains" if seconds and not development else ""
    app.after_request(add_security_headers)
    _trust_proxies(app)


def _trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, the client's address (sign-in throttling, the audit log) and scheme
    come from their X-Forwarded-* headers; with none trusted, such headers are ignored (anyone could send them)."""
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]
