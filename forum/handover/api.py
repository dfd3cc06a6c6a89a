"""The hand-over part of /api/v1: what a person still holds, reassigning it, closing (admins)."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from forum.accounts.models import Role, User
from forum.accounts.permissions import require_role
from forum.api import api_route, bp, current_api_user, parse_body
from forum.core.errors import Invalid, NotFound
from forum.extensions import db
from forum.handover import schemas, services
from forum.handover.models import Handover

TAG = "handover"


def _person(user_id: int) -> User:
    require_role(current_api_user(), Role.ADMIN)
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


def _open_handover(user: User) -> Handover:
    handover = services.open_handover_for(user.id)
    if handover is None:
        raise NotFound(f"{user.display_name} has no open hand-over.")
    return handover


def _out(user: User) -> schemas.HandoverOut:
    handover = services.latest_handover_for(user.id)
    items = services.held_items(handover) if handover is not None else []
    return schemas.HandoverOut.of(user.id, handover, items)


@api_route(
    bp,
    "/users/<id:user_id>/handover",
    "GET",
    summary="A person's hand-over and what they still hold (admin)",
    tag=TAG,
    response=schemas.HandoverOut,
    errors=(403, 404),
)
def handover_get(user_id: int) -> ResponseReturnValue:
    return _out(_person(user_id)).model_dump(mode="json")


@api_route(
    bp,
    "/users/<id:user_id>/handover/reassign",
    "POST",
    summary="Pass one held item, all of a kind, or everything to another person (admin)",
    tag=TAG,
    body=schemas.HandoverReassignIn,
    response=schemas.HandoverReassignOut,
    errors=(400, 403, 404, 409),
)
def handover_reassign(user_id: int) -> ResponseReturnValue:
    actor = current_api_user()
    user = _person(user_id)
    handover = _open_handover(user)
    data = parse_body(schemas.HandoverReassignIn)
    if data.id is not None:
        if data.kind is None:
            raise Invalid(fields={"kind": "Give the kind of the item with its id."})
        item = services.reassign_item(
            actor, handover, kind=data.kind, item_id=data.id, to_user_id=data.to_user_id
        )
        outcome = services.Outcome(reassigned=[item])
    else:
        outcome = services.reassign_all(actor, handover, to_user_id=data.to_user_id, kind=data.kind)
    db.session.commit()
    return schemas.HandoverReassignOut.of(outcome, _out(user)).model_dump(mode="json")


@api_route(
    bp,
    "/users/<id:user_id>/handover/close",
    "POST",
    summary="Close the hand-over once nothing is held (admin)",
    tag=TAG,
    response=schemas.HandoverOut,
    errors=(403, 404, 409),
)
def handover_close(user_id: int) -> ResponseReturnValue:
    actor = current_api_user()
    user = _person(user_id)
    services.close_handover(actor, _open_handover(user))
    db.session.commit()
    return _out(user).model_dump(mode="json")
