"""Insight for the continuity section: stock-out risk per essential process, rotation before expiry, the equity view.

Read-side questions over the other domains (forecast, requests, inventory); nothing else imports this package.
"""
