"""The pages the public may open while PUBLIC_VERIFY is on: /verify ("is this account ours?")
and a profile's "Verified by" badge page, /verify/<badge_key>. Signed-out visitors see only
status, platform and department (services/public.py); staff see links into the registry."""

from __future__ import annotations

from flask import Response, current_app, render_template, request
from flask.typing import ResponseReturnValue

from forum.core.errors import Invalid
from forum.registry import bp, public_http, services


@bp.get("/verify")
@public_http.verify_rate_limit
def public_verify() -> ResponseReturnValue:
    """The form, and with `?url=` its answer ("not ours" too: the page answered, unlike the
    API's 404); 400 for input that is no address or handle."""
    value = request.args.get("url")
    found = None
    error = ""
    status = 200
    if value is not None:
        try:
            found = services.public_lookup(value)
        except Invalid as exc:
            error = exc.message
            status = 400
        else:
            if not found.answers:
                public_http.mark_not_ours()
    staff = public_http.signed_in()
    return render_template(
        "registry/public_verify.html",
        value=(value or "").strip(),
        found=found,
        error=error,
        # Records the public is not told of (proposed ones) and the links into the registry
        # are for staff only.
        matches=found.matches if found is not None and staff else None,
        staff=staff,
        org_name=current_app.config["ORG_NAME"],
    ), status


@bp.get("/verify/<badge_key>")
def badge(badge_key: str) -> ResponseReturnValue:
    """A profile's badge page, to link from the account's bio; 404 for an unknown key."""
    answer = services.badge(badge_key)
    return render_template(
        "registry/badge.html",
        answer=answer,
        staff=public_http.signed_in(),
        org_name=current_app.config["ORG_NAME"],
    )


@bp.after_request
def _public_headers(response: Response) -> Response:
    if request.endpoint in ("registry.public_verify", "registry.badge"):
        # A shared cache must not hand the staff view to the public or the other way round:
        # they differ by the session cookie.
        public_http.cache_headers(response, vary="Cookie")
    return response
