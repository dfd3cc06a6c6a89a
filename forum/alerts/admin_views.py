"""Admin pages for alert delivery: the outbox and dead letters, webhook endpoints, sent mail."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from forum.accounts.permissions import admin_required
from forum.alerts import bp, services
from forum.alerts.forms import WebhookEndpointForm
from forum.alerts.models import OutboxStatus, WebhookEndpoint
from forum.alerts.services import endpoints, mailbox
from forum.core.forms import require_action, submit
from forum.core.pagination import page_number
from forum.extensions import db


@bp.get("/admin/alerts")
@admin_required
def admin_outbox() -> ResponseReturnValue:
    try:
        status = OutboxStatus(request.args.get("status", OutboxStatus.DEAD.value))
    except ValueError:
        abort(404)
    page = services.list_messages(status, page=page_number(request.args.get("page")))
    return render_template(
        "alerts/admin_outbox.html",
        page=page,
        status=status,
        counts=services.outbox_counts(),
        statuses=list(OutboxStatus),
    )


@bp.get("/admin/alerts/messages/<id:message_id>")
@admin_required
def admin_message(message_id: int) -> ResponseReturnValue:
    message = services.message_or_404(message_id)
    return render_template("alerts/admin_message.html", message=message)


@bp.post("/admin/alerts/messages/<id:message_id>/retry")
@admin_required
def admin_message_retry(message_id: int) -> ResponseReturnValue:
    require_action()
    message = services.message_or_404(message_id)
    services.requeue(message, actor=current_user)
    db.session.commit()
    flash(f"Message {message.id} is queued again; the worker sends it on its next turn.", "success")
    return redirect(url_for("alerts.admin_outbox"))


@bp.get("/admin/alerts/mail")
@admin_required
def admin_mail() -> ResponseReturnValue:
    return render_template(
        "alerts/admin_mail.html",
        mails=mailbox.list_mail(current_app.instance_path),
        mail_server=current_app.config.get("MAIL_SERVER"),
    )


@bp.get("/admin/alerts/mail/<name>")
@admin_required
def admin_mail_view(name: str) -> ResponseReturnValue:
    return render_template(
        "alerts/admin_mail_view.html", mail=mailbox.read_mail(current_app.instance_path, name)
    )


@bp.get("/admin/alerts/webhooks")
@admin_required
def admin_webhooks() -> ResponseReturnValue:
    return render_template("alerts/admin_webhooks.html", endpoints=endpoints.list_endpoints())


@bp.route("/admin/alerts/webhooks/new", methods=["GET", "POST"])
@admin_required
def admin_webhook_new() -> ResponseReturnValue:
    return _webhook_form(None)


@bp.route("/admin/alerts/webhooks/<id:endpoint_id>", methods=["GET", "POST"])
@admin_required
def admin_webhook_edit(endpoint_id: int) -> ResponseReturnValue:
    return _webhook_form(endpoints.endpoint_or_404(endpoint_id))


def _webhook_form(endpoint: WebhookEndpoint | None) -> ResponseReturnValue:
    """Add an endpoint (None) or change one: the same form, page and rules."""
    form = WebhookEndpointForm(obj=endpoint)
    allow_private = bool(current_app.config["WEBHOOK_ALLOW_PRIVATE"])

    def save() -> WebhookEndpoint:
        name, url, format_ = form.name.data or "", form.url.data or "", form.format.data or ""
        if endpoint is None:
            return endpoints.create_endpoint(
                current_user, name=name, url=url, format=format_, allow_private=allow_private
            )
        return endpoints.update_endpoint(
            current_user,
            endpoint,
            name=name,
            url=url,
            format=format_,
            is_active=bool(form.is_active.data),
            allow_private=allow_private,
        )

    outcome = submit(
        form,
        save,
        success="Endpoint added. Give its signing secret to whoever runs the receiver."
        if endpoint is None
        else "Endpoint saved.",
    )
    if outcome.saved:
        return redirect(url_for("alerts.admin_webhook_edit", endpoint_id=outcome.value.id))
    return render_template(
        "alerts/admin_webhook_form.html", form=form, endpoint=endpoint
    ), outcome.status


@bp.post("/admin/alerts/webhooks/<id:endpoint_id>/rotate")
@admin_required
def admin_webhook_rotate(endpoint_id: int) -> ResponseReturnValue:
    require_action()
    endpoint = endpoints.endpoint_or_404(endpoint_id)
    endpoints.rotate_secret(current_user, endpoint)
    db.session.commit()
    flash(
        "New signing secret made. Update the receiver: the old one no longer verifies.", "success"
    )
    return redirect(url_for("alerts.admin_webhook_edit", endpoint_id=endpoint.id))


@bp.post("/admin/alerts/webhooks/<id:endpoint_id>/test")
@admin_required
def admin_webhook_test(endpoint_id: int) -> ResponseReturnValue:
    require_action()
    endpoint = endpoints.endpoint_or_404(endpoint_id)
    message = endpoints.send_test(current_user, endpoint)
    db.session.commit()
    flash(f"Test alert queued as message {message.id}.", "success")
    return redirect(url_for("alerts.admin_webhook_edit", endpoint_id=endpoint.id))
