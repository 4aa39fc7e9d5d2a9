"""The one place a request changes state: a guarded update, a history row and an audit record."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from stockpile import audit
from stockpile.db import session
from stockpile.errors import InvalidTransition
from stockpile.requests.models import RequestState, RequestTransition, SupplyRequest

STATE_LABELS = {
    RequestState.DRAFT: _l("draft"),
    RequestState.SUBMITTED: _l("submitted"),
    RequestState.APPROVED: _l("approved"),
    RequestState.PARTIALLY_APPROVED: _l("partially approved"),
    RequestState.REJECTED: _l("rejected"),
    RequestState.PICKING: _l("picking"),
    RequestState.SHIPPED: _l("shipped"),
    RequestState.DELIVERED: _l("delivered"),
    RequestState.CANCELLED: _l("cancelled"),
}


def transition_to(request: SupplyRequest, new_state: RequestState, user_id: int | None, comment: str = "") -> None:
    """Move a request to a new state, or raise InvalidTransition naming the current state.

    The UPDATE only matches while the request is still in the state this transaction saw, so a double submit or
    two reviewers deciding at once cannot both succeed: the second finds the state already changed.
    """
    current = request.state
    if not request.can_move_to(new_state):
        raise _refusal(request, current, new_state)
    result = session().execute(
        update(SupplyRequest)
        .where(SupplyRequest.id == request.id, SupplyRequest.state == current)
        .values(state=new_state)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session().refresh(request)
        raise _refusal(request, request.state, new_state)
    request.state = new_state
    session().add(RequestTransition(request_id=request.id, from_state=current, to_state=new_state, user_id=user_id,
                                    comment=comment))
    session().flush()
    audit.record(user_id, "request.transition", request, old=current.value, new=new_state.value, comment=comment)


def ensure_can_move(request: SupplyRequest, new_state: RequestState) -> None:
    """Refuse early, naming the current state, when the state machine does not allow the move."""
    if not request.can_move_to(new_state):
        raise _refusal(request, request.state, new_state)


def _refusal(request: SupplyRequest, current: RequestState, wanted: RequestState) -> InvalidTransition:
    return InvalidTransition(_("Request %(number)s is %(current)s and cannot become %(wanted)s.",
                               number=request.number, current=STATE_LABELS[current],
                               wanted=STATE_LABELS[wanted]))
