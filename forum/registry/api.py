"""The registry part of /api/v1: profiles, their history, lookup, public verify, CSV export
and import."""

from __future__ import annotations

from flask import Response, jsonify, request
from flask.typing import ResponseReturnValue

from forum.api import api_route, bp, current_api_user, parse_body, parse_query
from forum.core.db import utcnow
from forum.core.errors import Invalid, NotFound
from forum.extensions import db
from forum.registry import public_http, schemas, services

TAG = "registry"


def _out(profile_id: int) -> dict[str, object]:
    profile = services.get_profile(profile_id)
    return schemas.ProfileOut.of(profile, utcnow().date()).model_dump(mode="json")


@api_route(
    bp,
    "/profiles",
    "GET",
    summary="List registered social profiles",
    tag=TAG,
    query=schemas.ProfileQuery,
    response=schemas.ProfileList,
)
def profiles_list() -> ResponseReturnValue:
    current_api_user()
    query = parse_query(schemas.ProfileQuery)
    rows = services.list_profiles(
        department=query.department,
        platform=query.platform,
        status=query.status.value if query.status else None,
        attention=query.attention,
        q=query.q,
        sort=query.sort,
        descending=query.desc,
    )
    today = utcnow().date()
    items = [
        schemas.ProfileOut.of(row.profile, today)
        for row in rows[query.offset : query.offset + query.limit]
    ]
    return schemas.ProfileList(items=items, total=len(rows)).model_dump(mode="json")


@api_route(
    bp,
    "/profiles",
    "POST",
    summary="Register (or propose) a social profile",
    tag=TAG,
    body=schemas.ProfileIn,
    response=schemas.ProfileOut,
    status=201,
    errors=(403, 409),
)
def profiles_create() -> ResponseReturnValue:
    actor = current_api_user()
    data = parse_body(schemas.ProfileIn)
    profile = services.register_profile(
        actor, data.service_values(), status=data.status, status_reason=data.status_reason or ""
    )
    db.session.commit()
    return _out(profile.id), 201


@api_route(
    bp,
    "/profiles/lookup",
    "GET",
    summary="Verify: the profile a URL or handle names",
    tag=TAG,
    query=schemas.LookupQuery,
    response=schemas.LookupOut,
    errors=(404,),
)
def profiles_lookup() -> ResponseReturnValue:
    current_api_user()
    query = parse_query(schemas.LookupQuery)
    matches = services.lookup(query.url)
    if not matches:
        raise NotFound(services.verdict(None, looked_up=query.url).message)
    best = matches[0]
    verdict = services.verdict(best)
    base = schemas.ProfileOut.of(best, utcnow().date()).model_dump()
    return schemas.LookupOut(
        **base,
        official=verdict.official,
        verdict=verdict.message,
        other_matches=[p.id for p in matches[1:]],
    ).model_dump(mode="json")


@api_route(
    bp,
    "/verify",
    "GET",
    summary="Is this account ours? Status, platform and department of a registered account",
    description=(
        "Public without a token when the server sets PUBLIC_VERIFY=true; otherwise a bearer "
        "token is needed. 200 for an official or archived account, 404 for one that is not "
        "ours (unknown, or proposed and not yet approved). CORS: any origin, no credentials. "
        "Anonymous callers are throttled per IP (VERIFY_RATE_LIMIT, 429 with Retry-After); "
        "anonymous answers may be cached (Cache-Control: public)."
    ),
    tag=TAG,
    query=schemas.VerifyQuery,
    response=schemas.VerifyOut,
    errors=(404, 429),
    optional_auth=True,
)
@public_http.verify_rate_limit
def verify() -> ResponseReturnValue:
    if not (request.args.get("url") or "").strip():
        raise Invalid(
            "Give the address or handle to check: /api/v1/verify?url=...",
            fields={"url": "Required."},
        )
    query = parse_query(schemas.VerifyQuery)
    return schemas.VerifyOut.of(services.public_answer(query.url)).model_dump(mode="json")


@bp.after_request
def _verify_headers(response: Response) -> Response:
    """CORS on /api/v1/verify alone (its 4xx too, so a page can read why), and caching."""
    if request.endpoint == "api.verify":
        public_http.cors_headers(response)
        if request.method != "OPTIONS":
            public_http.cache_headers(response, vary="Authorization")
    return response


@api_route(
    bp,
    "/profiles/export.csv",
    "GET",
    summary="Every profile as spreadsheet-safe CSV",
    tag=TAG,
    query=schemas.ExportQuery,
    content_type="text/csv",
)
def profiles_export() -> ResponseReturnValue:
    current_api_user()
    query = parse_query(schemas.ExportQuery)
    rows = services.list_profiles(
        department=query.department,
        platform=query.platform,
        status=query.status.value if query.status else None,
        attention=query.attention,
        q=query.q,
        sort="name",
    )
    body = services.export_csv(row.profile for row in rows)
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="social-profiles.csv"'},
    )


@api_route(
    bp,
    "/profiles/import",
    "POST",
    summary="Import profiles from a CSV body (dry_run=1 checks and writes nothing)",
    tag=TAG,
    query=schemas.ImportQuery,
    response=schemas.ImportReportOut,
    request_content_type="text/csv",
    errors=(403,),
)
def profiles_import() -> ResponseReturnValue:
    actor = current_api_user()
    query = parse_query(schemas.ImportQuery)
    upload = request.files.get("file")
    raw = upload.read() if upload is not None else request.get_data()
    text = services.read_csv_upload(raw, field_name="file" if upload is not None else "body")
    # End the request's own transaction: the check then reads without SQLite's write lock,
    # and an import commits batch by batch (the service calls commit).
    db.session.commit()
    if query.dry_run:
        report = services.check_import(actor, text)
    else:
        report = services.apply_import(actor, text, commit=db.session.commit)
    db.session.rollback()
    out = schemas.ImportReportOut.of(report).model_dump(mode="json")
    if report.applied:
        return out
    if query.dry_run:
        return out
    # Not applied because some rows are wrong: the report plus the usual error object.
    fields = {
        f"row {row.row}.{name}": message
        for row in report.rows
        for name, message in row.errors.items()
    }
    out["error"] = {
        "code": "invalid",
        "message": f"Nothing was imported: {report.error_count} rows have errors.",
        "fields": fields,
    }
    return jsonify(out), 400


@api_route(
    bp,
    "/profiles/<id:profile_id>",
    "GET",
    summary="One social profile",
    tag=TAG,
    response=schemas.ProfileOut,
    errors=(404,),
)
def profiles_get(profile_id: int) -> ResponseReturnValue:
    current_api_user()
    return _out(profile_id)


@api_route(
    bp,
    "/profiles/<id:profile_id>",
    "PATCH",
    summary="Edit fields and/or move the status of a profile",
    tag=TAG,
    body=schemas.ProfilePatch,
    response=schemas.ProfileOut,
    errors=(403, 404, 409),
)
def profiles_patch(profile_id: int) -> ResponseReturnValue:
    actor = current_api_user()
    profile = services.get_profile(profile_id)
    data = parse_body(schemas.ProfilePatch)
    values = data.service_values()
    if values:
        services.update_profile(actor, profile, values)
    if data.status is not None and data.status != profile.status:
        services.change_status(actor, profile, data.status, reason=data.status_reason or "")
    db.session.commit()
    return _out(profile.id)


@api_route(
    bp,
    "/profiles/<id:profile_id>",
    "DELETE",
    summary="Archive a profile (admins)",
    tag=TAG,
    query=schemas.ArchiveIn,
    response=schemas.ProfileOut,
    errors=(403, 404),
)
def profiles_delete(profile_id: int) -> ResponseReturnValue:
    actor = current_api_user()
    profile = services.get_profile(profile_id)
    reason = (parse_query(schemas.ArchiveIn).reason or "").strip()
    if not reason and request.get_data():
        reason = (parse_body(schemas.ArchiveIn).reason or "").strip()
    services.archive_profile(
        actor, profile, reason=reason or f"Archived by {actor.display_name} via the API."
    )
    db.session.commit()
    return _out(profile.id)


@api_route(
    bp,
    "/profiles/<id:profile_id>/history",
    "GET",
    summary="Every change of a profile, newest first",
    tag=TAG,
    response=schemas.ChangeList,
    errors=(404,),
)
def profiles_history(profile_id: int) -> ResponseReturnValue:
    reader = current_api_user()
    profile = services.get_profile(profile_id)
    items = [schemas.ChangeOut.of(c) for c in services.history(profile, reader)]
    return schemas.ChangeList(items=items, total=len(items)).model_dump(mode="json")


@api_route(
    bp,
    "/profiles/<id:profile_id>/reviews",
    "POST",
    summary="Mark a profile reviewed, with a note",
    tag=TAG,
    body=schemas.ReviewIn,
    response=schemas.ProfileOut,
    status=201,
    errors=(403, 404),
)
def profiles_review(profile_id: int) -> ResponseReturnValue:
    actor = current_api_user()
    profile = services.get_profile(profile_id)
    data = parse_body(schemas.ReviewIn)
    services.mark_reviewed(actor, profile, note=data.note)
    db.session.commit()
    return _out(profile.id), 201
