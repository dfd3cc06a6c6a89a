"""The accounts part of /api/v1: who am I, departments, and admin user management."""

from __future__ import annotations

from flask import current_app, url_for
from flask.typing import ResponseReturnValue

from forum.accounts import schemas, services
from forum.accounts.models import Department, Role, User
from forum.accounts.permissions import require_role
from forum.api import api_route, bp, current_api_user, parse_body, parse_query
from forum.core.errors import Invalid, NotFound
from forum.core.web import base_url
from forum.extensions import db


def _department_or_invalid(slug: str | None) -> Department | None:
    if not slug:
        return None
    department = services.department_by_slug(slug)
    if department is None:
        raise Invalid(fields={"department": f"No department with slug {slug!r}."})
    return department


@api_route(bp, "/me", "GET", summary="The token's owner", tag="accounts", response=schemas.UserOut)
def me() -> ResponseReturnValue:
    return schemas.UserOut.of(current_api_user()).model_dump(mode="json")


@api_route(
    bp,
    "/departments",
    "GET",
    summary="List departments",
    tag="accounts",
    response=schemas.DepartmentList,
)
def departments_list() -> ResponseReturnValue:
    items = [schemas.DepartmentOut.of(d) for d in services.list_departments()]
    return schemas.DepartmentList(items=items, total=len(items)).model_dump(mode="json")


@api_route(
    bp,
    "/departments",
    "POST",
    summary="Create a department (admin)",
    tag="accounts",
    body=schemas.DepartmentIn,
    response=schemas.DepartmentOut,
    status=201,
    errors=(403, 409),
)
def departments_create() -> ResponseReturnValue:
    data = parse_body(schemas.DepartmentIn)
    department = services.create_department(current_api_user(), slug=data.slug, name=data.name)
    db.session.commit()
    return schemas.DepartmentOut.of(department).model_dump(mode="json"), 201


@api_route(
    bp,
    "/users",
    "GET",
    summary="List staff accounts (admin)",
    tag="accounts",
    response=schemas.UserList,
    errors=(403,),
)
def users_list() -> ResponseReturnValue:
    require_role(current_api_user(), Role.ADMIN)
    items = [schemas.UserOut.of(u) for u in services.list_users()]
    return schemas.UserList(items=items, total=len(items)).model_dump(mode="json")


@api_route(
    bp,
    "/users/<id:user_id>",
    "GET",
    summary="One staff account (admin)",
    tag="accounts",
    response=schemas.UserOut,
    errors=(403, 404),
)
def users_get(user_id: int) -> ResponseReturnValue:
    require_role(current_api_user(), Role.ADMIN)
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return schemas.UserOut.of(user).model_dump(mode="json")


@api_route(
    bp,
    "/users/<id:user_id>",
    "PATCH",
    summary="Change role, department, name or active flag (admin)",
    tag="accounts",
    body=schemas.UserPatch,
    response=schemas.UserOut,
    errors=(403, 404),
)
def users_patch(user_id: int) -> ResponseReturnValue:
    actor = current_api_user()
    require_role(actor, Role.ADMIN)
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    data = parse_body(schemas.UserPatch)
    department: Department | bool | None = False
    if data.department is not None:
        department = _department_or_invalid(data.department)
    if None not in (data.is_active, data.active) and data.is_active != data.active:
        raise Invalid(fields={"active": "active and is_active disagree: give one of them."})
    is_active = data.is_active if data.is_active is not None else data.active
    services.admin_update_user(
        actor, user, role=data.role, department=department, is_active=is_active
    )
    if data.display_name is not None:
        services.update_profile(
            user, display_name=data.display_name, email_preference=user.email_preference
        )
    db.session.commit()
    return schemas.UserOut.of(user).model_dump(mode="json")


@api_route(
    bp,
    "/users/invitations",
    "POST",
    summary="Invite a colleague (admin)",
    tag="accounts",
    body=schemas.InvitationIn,
    response=schemas.InvitationOut,
    status=201,
    errors=(403, 409),
)
def users_invite() -> ResponseReturnValue:
    actor = current_api_user()
    data = parse_body(schemas.InvitationIn)
    invitation, token = services.invite(
        data.email,
        role=data.role,
        department=_department_or_invalid(data.department),
        invited_by=actor,
        ttl_hours=current_app.config["INVITATION_TTL_HOURS"],
    )
    db.session.commit()
    url = base_url() + url_for("accounts.accept_invitation", token=token)
    return schemas.InvitationOut(
        id=invitation.id,
        email=invitation.email,
        role=Role(invitation.role),
        department=invitation.department.slug if invitation.department else None,
        expires_at=invitation.expires_at,
        url=url,
    ).model_dump(mode="json"), 201


@api_route(
    bp,
    "/audit",
    "GET",
    summary="The audit log, newest first, 50 a page (admin)",
    tag="accounts",
    query=schemas.AuditQuery,
    response=schemas.AuditList,
    errors=(403,),
)
def audit_list() -> ResponseReturnValue:
    require_role(current_api_user(), Role.ADMIN)
    query = parse_query(schemas.AuditQuery)
    page = services.audit.search(
        services.audit.AuditFilter(
            action=query.action,
            actor=query.actor,
            subject=query.subject,
            since=query.since,
            until=query.until,
        ),
        page=query.page,
    )
    labels = services.audit.subject_labels(page.items)
    return schemas.AuditList(
        items=[schemas.AuditEventOut.of(event, labels) for event in page.items],
        total=page.total,
        page=page.page,
        pages=page.pages,
    ).model_dump(mode="json")
