"""The request policy against tables written by hand: the state machine, and who may do what in which state.

Neither table is read from the code under test. `allowed_actions` (what the request page offers) and `require`
(the gate of every service verb) are both checked against them, and the services against the gate.
"""

from __future__ import annotations

import pytest

from stockpile.auth.models import Role, User
from stockpile.db import session
from stockpile.errors import DomainError, FieldErrors, Forbidden, InvalidTransition
from stockpile.requests import policy, services
from stockpile.requests.models import RequestState, SupplyRequest
from tests import factories
from tests.inventory.helpers import receive
from tests.requests.helpers import submitted

STATE_MACHINE = """
draft               submitted cancelled
submitted           approved partially_approved rejected cancelled
approved            picking cancelled
partially_approved  picking cancelled
picking             shipped
shipped             delivered
rejected
delivered
cancelled
"""

# role, state: the actions the role may take on a request of its own region in that state.
ALLOWED = """
region      draft               edit submit cancel
region      submitted           cancel
region      shipped             confirm
continuity  submitted           approve reject cancel
continuity  approved            cancel
continuity  partially_approved  cancel
logistics   approved            pick
logistics   partially_approved  pick
logistics   picking             ship
"""


def _table(text: str, key_words: int) -> dict[tuple[str, ...], set[str]]:
    """Each line: `key_words` words naming the row, then the set it holds."""
    return {tuple(words[:key_words]): set(words[key_words:])
            for words in (line.split() for line in text.strip().splitlines())}


MOVES = _table(STATE_MACHINE, 1)
EXPECTED = _table(ALLOWED, 2)
PAIRS = [(role, state) for role in Role for state in RequestState]


def _expected(role: Role, state: RequestState) -> set[str]:
    return EXPECTED.get((role.value, state.value), set())


def _request(state: RequestState, region_id: int = 9) -> SupplyRequest:
    return SupplyRequest(id=41, region_id=region_id, state=state, created_by_id=100, submitted_by_id=100)


def _user(role: Role, region_id: int | None = 9, user_id: int = 7) -> User:
    return User(id=user_id, role=role, region_id=region_id if role is Role.REGION else None)


def test_the_state_machine_is_the_table() -> None:
    assert {state.value: {s.value for s in targets} for state, targets in policy.TRANSITIONS.items()} == {
        state: targets for (state,), targets in MOVES.items()}


@pytest.mark.parametrize(("role", "state"), PAIRS)
def test_allowed_actions_are_exactly_the_table(role: Role, state: RequestState) -> None:
    actions = policy.allowed_actions(_request(state), _user(role))
    assert {action.value for action in actions} == _expected(role, state)


@pytest.mark.parametrize(("role", "state"), PAIRS)
def test_require_refuses_everything_else(role: Role, state: RequestState) -> None:
    for action in policy.Action:
        if action.value in _expected(role, state):
            policy.require(action, _request(state), _user(role))
        else:
            with pytest.raises((Forbidden, InvalidTransition, FieldErrors)):
                policy.require(action, _request(state), _user(role))


@pytest.mark.parametrize(("role", "state"), [(r, s) for r, s in PAIRS if _expected(r, s)])
def test_every_allowed_action_is_a_move_of_the_state_machine(role: Role, state: RequestState) -> None:
    for action in _expected(role, state):
        target = policy.TARGET[policy.Action(action)].value
        assert target == state.value or target in MOVES[(state.value,)]


def test_a_region_acts_only_on_its_own_requests() -> None:
    assert policy.allowed_actions(_request(RequestState.DRAFT, region_id=13), _user(Role.REGION)) == []
    with pytest.raises(Forbidden, match="Only the requesting region"):
        policy.require(policy.Action.SUBMIT, _request(RequestState.DRAFT, region_id=13), _user(Role.REGION))


def test_whoever_submitted_a_request_does_not_decide_it() -> None:
    own = _user(Role.CONTINUITY, user_id=100)
    assert policy.allowed_actions(_request(RequestState.SUBMITTED), own) == []
    with pytest.raises(Forbidden, match="someone else must review it"):
        policy.require(policy.Action.APPROVE, _request(RequestState.SUBMITTED), own)


@pytest.mark.parametrize(("role", "state", "message"), [
    (Role.REGION, RequestState.APPROVED, "Once reviewed, only the continuity section can cancel"),
    (Role.CONTINUITY, RequestState.PICKING, "is picking and cannot become cancelled"),
    (Role.LOGISTICS, RequestState.SUBMITTED, "Only the continuity section"),
])
def test_one_cancel_for_every_role_refuses_in_the_users_terms(role, state, message) -> None:
    with pytest.raises(DomainError, match=message):
        policy.require(policy.Action.CANCEL, _request(state), _user(role))


@pytest.fixture
def world(db, users):
    item, warehouse = factories.item(code="FFP2-P"), factories.warehouse()
    receive(item, warehouse, 100)
    return {"item": item, "process": factories.process(tier=1, code="CARE-P"), **users}


# The verbs through the services: who does it, from which state, with what, and the state it leaves.
VERBS = [
    ("submit", "region", "draft", "submitted"),
    ("cancel", "region", "submitted", "cancelled"),
    ("approve", "continuity", "submitted", "approved"),
    ("reject", "continuity", "submitted", "rejected"),
    ("cancel", "continuity", "approved", "cancelled"),
    ("pick", "logistics", "approved", "picking"),
    ("ship", "logistics", "picking", "shipped"),
    ("confirm", "region", "shipped", "delivered"),
]


def _do(verb: str, request: SupplyRequest, user: User) -> None:
    line = request.lines[0]
    calls = {
        "submit": lambda: services.submit(request, user),
        "cancel": lambda: services.cancel(request, user, "no longer needed"),
        "approve": lambda: services.approve(request, user, {line.id: (line.quantity_requested, "")}),
        "reject": lambda: services.reject(request, user, "not for this process", for_scarcity=False),
        "pick": lambda: services.pick(request, user),
        "ship": lambda: services.ship(request, user, "DHL", "JD1"),
        "confirm": lambda: services.confirm_receipt(request, user, {line.id: (line.quantity_issued, "")}),
    }
    calls[verb]()


def _in_state(world, state: str) -> SupplyRequest:
    request = submitted(world["region"], world["process"], [(world["item"], 10)])
    path = {"draft": [], "submitted": [], "approved": ["approve"], "picking": ["approve", "pick"],
            "shipped": ["approve", "pick", "ship"]}[state]
    if state == "draft":
        request.state = RequestState.DRAFT
    for verb in path:
        _do(verb, request, world[{"approve": "continuity", "pick": "logistics", "ship": "logistics"}[verb]])
    session().flush()
    return request


@pytest.mark.parametrize(("verb", "role", "before", "after"), VERBS)
def test_each_verb_moves_the_request_as_the_tables_say(world, verb, role, before, after) -> None:
    request = _in_state(world, before)
    _do(verb, request, world[role])
    assert request.state.value == after
    assert request.history[-1].to_state.value == after


@pytest.mark.parametrize(("verb", "role", "before", "after"), VERBS)
def test_each_verb_is_refused_to_the_roles_the_table_does_not_name(world, verb, role, before, after) -> None:
    request = _in_state(world, before)
    for other in ("region", "continuity", "logistics", "admin"):
        if verb in EXPECTED.get((other, before), set()):
            continue
        with pytest.raises(DomainError):
            _do(verb, request, world[other])
    assert request.state.value == before


# What the request page offers for an action: a link or a form posting to this path (after /requests/<id> or
# /review/requests/<id>).
BUTTONS = {"edit": "/edit", "submit": "/submit", "cancel": "/cancel", "confirm": "/confirm", "approve": "",
           "pick": "/pick", "ship": "/ship"}
REVIEW_PAGES = {"approve", "pick", "ship"}


@pytest.mark.parametrize("state", ["draft", "submitted", "approved", "picking", "shipped"])
@pytest.mark.parametrize("role", ["region", "continuity", "logistics", "admin"])
def test_the_request_page_offers_exactly_the_allowed_actions(world, as_role, role, state) -> None:
    request = _in_state(world, state)
    page = as_role(role).get(f"/requests/{request.id}").text
    actions = page[page.index("<h2>Actions</h2>"):page.index("<h2>History</h2>")]
    offered = {verb for verb, path in BUTTONS.items() if f'"/requests/{request.id}{path}"' in actions
               or (verb in REVIEW_PAGES and f'"/review/requests/{request.id}{path}"' in actions)}
    assert offered == EXPECTED.get((role, state), set()) - {"reject"}  # reject is on the review page
