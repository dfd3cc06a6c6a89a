"""The escalations part of /api/v1: escalate, list, read, acknowledge, resolve, reassign."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from forum.accounts import services as account_services
from forum.accounts.models import User
from forum.api import api_route, bp, current_api_user, parse_body, parse_query
from forum.boards import services as board_services
from forum.core.errors import Invalid
from forum.escalations import schemas, services
from forum.escalations.models import Escalation, EscalationState
from forum.escalations.services import inbox
from forum.extensions import db
from forum.registry.services import profile_for_reference

TAG = "escalations"


def _out(escalation: Escalation, user: User) -> dict[str, object]:
    return schemas.EscalationOut.of(escalation, services.timeline(user, escalation)).model_dump(
        mode="json"
    )


@api_route(
    bp,
    "/threads/<id:thread_id>/escalations",
    "POST",
    summary="Escalate a thread (adds to its open escalation if there is one)",
    tag=TAG,
    body=schemas.EscalationIn,
    response=schemas.EscalationOut,
    status=201,
    errors=(400, 404, 429),
)
def escalations_create(thread_id: int) -> ResponseReturnValue:
    user = current_api_user()
    thread = board_services.get_visible_thread(user, thread_id)
    data = parse_body(schemas.EscalationIn)
    post = None
    if data.post_id is not None:
        post = board_services.get_visible_post(user, data.post_id)
    profile = profile_for_reference(data.profile_id, user) if data.profile_id is not None else None
    escalation, _created = services.escalate(
        thread, actor=user, reason=data.reason, urgency=data.urgency, post=post, profile=profile
    )
    db.session.commit()
    return _out(escalation, user), 201


@api_route(
    bp,
    "/escalations",
    "GET",
    summary="List escalations (seniors and admins)",
    tag=TAG,
    query=schemas.EscalationQuery,
    response=schemas.EscalationList,
    errors=(400, 403),
)
def escalations_list() -> ResponseReturnValue:
    user = current_api_user()
    query = parse_query(schemas.EscalationQuery)
    department_id = None
    if query.department:
        department = account_services.department_by_slug(query.department)
        if department is None:
            raise Invalid(fields={"department": f"No department with slug {query.department!r}."})
        department_id = department.id
    page = inbox.list_escalations(
        user,
        inbox.InboxFilter(
            state=query.state or EscalationState.OPEN,
            urgency=query.urgency,
            department_id=department_id,
        ),
        page=query.page,
        with_events=True,
    )
    items = [schemas.EscalationOut.of(e, services.timeline(user, e)) for e in page.items]
    return schemas.EscalationList(items=items, total=page.total).model_dump(mode="json")


@api_route(
    bp,
    "/escalations/<id:escalation_id>",
    "GET",
    summary="One escalation with its timeline",
    tag=TAG,
    response=schemas.EscalationOut,
    errors=(403, 404),
)
def escalations_get(escalation_id: int) -> ResponseReturnValue:
    user = current_api_user()
    return _out(services.get_escalation(user, escalation_id), user)


@api_route(
    bp,
    "/escalations/<id:escalation_id>/acknowledge",
    "POST",
    summary="Acknowledge an open escalation (seniors and admins)",
    tag=TAG,
    response=schemas.EscalationOut,
    errors=(403, 404, 409),
)
def escalations_acknowledge(escalation_id: int) -> ResponseReturnValue:
    user = current_api_user()
    escalation = services.acknowledge(services.get_escalation(user, escalation_id), actor=user)
    db.session.commit()
    return _out(escalation, user)


@api_route(
    bp,
    "/escalations/<id:escalation_id>/resolve",
    "POST",
    summary="Resolve an escalation with a note (seniors and admins)",
    tag=TAG,
    body=schemas.ResolveIn,
    response=schemas.EscalationOut,
    errors=(400, 403, 404, 409),
)
def escalations_resolve(escalation_id: int) -> ResponseReturnValue:
    user = current_api_user()
    data = parse_body(schemas.ResolveIn)
    escalation = services.resolve(
        services.get_escalation(user, escalation_id), actor=user, note=data.note
    )
    db.session.commit()
    return _out(escalation, user)


@api_route(
    bp,
    "/escalations/<id:escalation_id>/reassign",
    "POST",
    summary="Assign an escalation to another senior or admin",
    tag=TAG,
    body=schemas.ReassignIn,
    response=schemas.EscalationOut,
    errors=(400, 403, 404, 409),
)
def escalations_reassign(escalation_id: int) -> ResponseReturnValue:
    user = current_api_user()
    data = parse_body(schemas.ReassignIn)
    escalation = services.get_escalation(user, escalation_id)
    assignee = db.session.get(User, data.assignee_id)
    if assignee is None:
        raise Invalid(fields={"assignee_id": "No such person."})
    services.reassign(escalation, actor=user, assignee=assignee, note=data.note)
    db.session.commit()
    return _out(escalation, user)
