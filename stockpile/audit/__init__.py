"""The audit log: `audit.record(who, what, ...)` in the same transaction as the change, and its pages."""

from stockpile.audit.models import AuditEvent, record, record_many

__all__ = ["AuditEvent", "record", "record_many"]
