"""The audit log: `audit.record(who, what, ...)` in the same transaction as the change, and its pages."""

from stockpile.audit.models import AuditEvent, record

__all__ = ["AuditEvent", "record"]
