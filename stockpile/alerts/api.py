"""JSON endpoints of alerts: the signed-in user's own notifications and preferences (every role)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from stockpile.alerts import schemas, services, texts
from stockpile.api import api_blueprint, paginated
from stockpile.auth.guard import roles_required, signed_in_user
from stockpile.auth.models import Role

blp = api_blueprint("notifications_api", "/notifications",
                    "The signed-in user's own notifications and alert preferences; nobody sees another's.")


def _preferences_out(rows: list[Any]) -> list[dict[str, Any]]:
    return [{"kind": kind, "enabled": enabled, "email": email} for kind, enabled, email in rows]


@blp.route("")
class Notifications(MethodView):
    @roles_required(*Role)
    @blp.arguments(schemas.NotificationQuery, location="query")
    @blp.response(200, schemas.NotificationOut(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[Any]:
        """The user's notifications, newest first (`unread=true`: only the unread ones)."""
        stmt = services.notifications_of(signed_in_user(), args["unread"])
        return [texts.as_fields(n) for n in paginated(stmt, pagination_parameters)]


@blp.route("/unread-count")
class UnreadCount(MethodView):
    @roles_required(*Role)
    @blp.response(200, schemas.UnreadOut)
    def get(self) -> Any:
        """How many of the user's notifications are unread (the number in the header)."""
        return {"unread": services.unread_count(signed_in_user())}


@blp.route("/<id:notification_id>/read")
class MarkRead(MethodView):
    @roles_required(*Role)
    @blp.response(200, schemas.NotificationOut)
    @blp.alt_response(404, description="Not one of the user's notifications.")
    def post(self, notification_id: int) -> Any:
        """Mark one of the user's notifications read."""
        return texts.as_fields(services.mark_read(signed_in_user(), notification_id))


@blp.route("/read-all")
class MarkAllRead(MethodView):
    @roles_required(*Role)
    @blp.response(200, schemas.MarkedOut)
    def post(self) -> Any:
        """Mark every unread notification of the user read."""
        return {"marked": services.mark_all_read(signed_in_user())}


@blp.route("/preferences")
class Preferences(MethodView):
    @roles_required(*Role)
    @blp.response(200, schemas.PreferenceOut(many=True))
    def get(self) -> Any:
        """The user's choice for each kind of alert (unset kinds: on, e-mailed at once)."""
        return _preferences_out(services.preference_rows(signed_in_user()))

    @roles_required(*Role)
    @blp.arguments(schemas.PreferencesIn)
    @blp.response(200, schemas.PreferenceOut(many=True))
    @blp.alt_response(422, description="An unknown kind, a kind named twice or an unknown e-mail mode.")
    def put(self, data: dict[str, Any]) -> Any:
        """Set the user's choice for the kinds named (others keep theirs); answers every kind."""
        return _preferences_out(services.set_preferences(signed_in_user(), data["preferences"]))


blueprints = [blp]
