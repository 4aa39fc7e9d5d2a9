"""Who may do what to a request, and when: the state table, the actions, the role x state table and one gate.

`TRANSITIONS` says which states may follow which; `ALLOWED` says which actions each role may take on a request in
each state. `require(action, request, user)` is the one gate every verb in `requests.services` passes first, and
`allowed_actions(request, user)` is what the request page offers: the two can never disagree.
"""

from __future__ import annotations

import enum

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from stockpile.auth.models import Role, User
from stockpile.errors import FieldErrors, Forbidden, InvalidTransition
from stockpile.requests.models import RequestState, SupplyRequest

S = RequestState

# The state machine: from each state, the states a request may move to. Nothing else is allowed.
TRANSITIONS: dict[RequestState, frozenset[RequestState]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.CANCELLED}),
    S.SUBMITTED: frozenset({S.APPROVED, S.PARTIALLY_APPROVED, S.REJECTED, S.CANCELLED}),
    S.APPROVED: frozenset({S.PICKING, S.CANCELLED}),
    S.PARTIALLY_APPROVED: frozenset({S.PICKING, S.CANCELLED}),
    S.PICKING: frozenset({S.SHIPPED}),
    S.SHIPPED: frozenset({S.DELIVERED}),
    S.REJECTED: frozenset(),
    S.DELIVERED: frozenset(),
    S.CANCELLED: frozenset(),
}
# Requests still on their way: submitted and not yet delivered, rejected or cancelled.
OPEN_STATES = frozenset({S.SUBMITTED, S.APPROVED, S.PARTIALLY_APPROVED, S.PICKING, S.SHIPPED})

STATE_LABELS = {
    S.DRAFT: _l("draft"),
    S.SUBMITTED: _l("submitted"),
    S.APPROVED: _l("approved"),
    S.PARTIALLY_APPROVED: _l("partially approved"),
    S.REJECTED: _l("rejected"),
    S.PICKING: _l("picking"),
    S.SHIPPED: _l("shipped"),
    S.DELIVERED: _l("delivered"),
    S.CANCELLED: _l("cancelled"),
}


class Action(enum.StrEnum):
    """What a person can do to a request."""

    EDIT = "edit"
    SUBMIT = "submit"
    CANCEL = "cancel"
    APPROVE = "approve"
    REJECT = "reject"
    PICK = "pick"
    SHIP = "ship"
    CONFIRM = "confirm"


A = Action
# Where an action takes the request (editing a draft keeps it a draft; approving in part is partially_approved).
TARGET: dict[Action, RequestState] = {
    A.EDIT: S.DRAFT, A.SUBMIT: S.SUBMITTED, A.CANCEL: S.CANCELLED, A.APPROVE: S.APPROVED, A.REJECT: S.REJECTED,
    A.PICK: S.PICKING, A.SHIP: S.SHIPPED, A.CONFIRM: S.DELIVERED,
}

# Role x state: the actions allowed. A pair that is not listed allows nothing (the administrator only reads).
ALLOWED: dict[tuple[Role, RequestState], frozenset[Action]] = {
    (Role.REGION, S.DRAFT): frozenset({A.EDIT, A.SUBMIT, A.CANCEL}),
    (Role.REGION, S.SUBMITTED): frozenset({A.CANCEL}),
    (Role.REGION, S.SHIPPED): frozenset({A.CONFIRM}),
    (Role.CONTINUITY, S.SUBMITTED): frozenset({A.APPROVE, A.REJECT, A.CANCEL}),
    (Role.CONTINUITY, S.APPROVED): frozenset({A.CANCEL}),
    (Role.CONTINUITY, S.PARTIALLY_APPROVED): frozenset({A.CANCEL}),
    (Role.LOGISTICS, S.APPROVED): frozenset({A.PICK}),
    (Role.LOGISTICS, S.PARTIALLY_APPROVED): frozenset({A.PICK}),
    (Role.LOGISTICS, S.PICKING): frozenset({A.SHIP}),
}
# Who sets the stock ring-fenced per essential process.
ALLOCATION_SETTERS = (Role.CONTINUITY,)


def actions_of(role: Role) -> frozenset[Action]:
    """Every action a role may take in some state."""
    return frozenset(action for (who, _state), actions in ALLOWED.items() if who is role for action in actions)


def allowed_actions(request: SupplyRequest, user: User) -> list[Action]:
    """The actions the user may take on the request now, in the order of `Action`."""
    return [action for action in Action if _refusal(action, request, user) is None]


def require(action: Action, request: SupplyRequest, user: User) -> None:
    """Refuse, with the reason in the user's terms, an action the user may not take on the request now."""
    refusal = _refusal(action, request, user)
    if refusal is not None:
        raise refusal


def require_allocation_setter(user: User) -> None:
    """Only the continuity section sets allocations."""
    if user.role not in ALLOCATION_SETTERS:
        raise Forbidden(_("Only the continuity section sets allocations."))


def transition_refusal(request: SupplyRequest, current: RequestState, wanted: RequestState) -> InvalidTransition:
    """The refusal of a move the state table does not allow, naming both states."""
    return InvalidTransition(_("Request %(number)s is %(current)s and cannot become %(wanted)s.",
                               number=request.number, current=STATE_LABELS[current], wanted=STATE_LABELS[wanted]))


def _refusal(action: Action, request: SupplyRequest, user: User) -> Forbidden | FieldErrors | InvalidTransition | None:
    refused = _role_refusal(action, request, user)
    if refused is not None:
        return refused
    if action in ALLOWED.get((user.role, request.state), frozenset()):
        return None
    return _state_refusal(action, request, user)


def _role_refusal(action: Action, request: SupplyRequest, user: User) -> Forbidden | None:
    if action not in actions_of(user.role):
        if action in actions_of(Role.REGION) - actions_of(Role.CONTINUITY):
            return Forbidden(_("Only the requesting region can do this."))
        if action in actions_of(Role.CONTINUITY):
            return Forbidden(_("Only the continuity section reviews requests."))
        return Forbidden(_("Only logistics picks and ships requests."))
    if user.role is Role.REGION and user.region_id != request.region_id:
        return Forbidden(_("Only the requesting region can do this."))
    if user.role is Role.CONTINUITY and user.id in (request.submitted_by_id, request.created_by_id):
        return Forbidden(_("You submitted this request; someone else must review it."))
    return None


def _state_refusal(action: Action, request: SupplyRequest, user: User) -> FieldErrors | InvalidTransition:
    if action is A.EDIT:
        return FieldErrors.one("state", _("Only a draft can be edited; this request is %(state)s.",
                                          state=STATE_LABELS[request.state]))
    if action is A.CANCEL and user.role is Role.REGION:
        return FieldErrors.one("state", _("Once reviewed, only the continuity section can cancel a request."))
    return transition_refusal(request, request.state, TARGET[action])
