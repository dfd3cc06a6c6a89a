"""HTML routes of the audit log for admins: the filtered list and its CSV export."""

from __future__ import annotations

from flask import Response, render_template, request
from flask.typing import ResponseReturnValue

from forum.accounts import bp, forms
from forum.accounts.models import AuditAction
from forum.accounts.permissions import admin_required
from forum.accounts.services import audit
from forum.core.db import utcnow
from forum.core.pagination import page_number


def _filter_form() -> tuple[forms.AuditFilterForm, audit.AuditFilter]:
    """The filters from the query string; a field that does not validate is left out."""
    form = forms.AuditFilterForm(request.args)
    form.action.choices = [("", "Any action")] + [(a.value, a.label) for a in AuditAction]
    form.validate()

    def value(name: str) -> object:
        field = getattr(form, name)
        return None if field.errors else field.data or None

    flt = audit.AuditFilter(
        action=value("action"),  # type: ignore[arg-type]
        actor=value("actor"),  # type: ignore[arg-type]
        subject=value("subject"),  # type: ignore[arg-type]
        since=value("since"),  # type: ignore[arg-type]
        until=value("until"),  # type: ignore[arg-type]
    )
    return form, flt


def _query_args(flt: audit.AuditFilter) -> dict[str, str]:
    """The active filters as query arguments, for the pager and the CSV link."""
    values = {
        "action": flt.action,
        "actor": flt.actor,
        "subject": flt.subject,
        "since": flt.since.isoformat() if flt.since else None,
        "until": flt.until.isoformat() if flt.until else None,
    }
    return {key: value for key, value in values.items() if value}


@bp.get("/admin/audit")
@admin_required
def admin_audit() -> ResponseReturnValue:
    form, flt = _filter_form()
    page = audit.search(flt, page=page_number(request.args.get("page")))
    return render_template(
        "accounts/admin_audit.html",
        form=form,
        page=page,
        labels=audit.subject_labels(page.items),
        subject_text=audit.subject_text,
        query_args=_query_args(flt),
    )


@bp.get("/admin/audit.csv")
@admin_required
def admin_audit_csv() -> ResponseReturnValue:
    _form, flt = _filter_form()
    body = "\ufeff" + audit.export_csv(flt)
    stamp = utcnow().strftime("%Y%m%d")
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="audit-log-{stamp}.csv"'},
    )
