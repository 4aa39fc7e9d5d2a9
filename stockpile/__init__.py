"""Stockpile: the national strategic stockpile of PPE for essential processes."""

from stockpile.app import create_app

__all__ = ["create_app"]
