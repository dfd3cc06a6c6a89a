"""Admin pages for alert delivery: the outbox and dead letters, webhook endpoints, sent mail."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from forum.accounts.models import Role
from forum.accounts.permissions import require_role
from forum.alerts import endpoints, mailbox, services
from forum.alerts.forms import ActionForm, WebhookEndpointForm
from forum.alerts.models import OutboxStatus
from forum.alerts.views import bp
from forum.core.errors import ForumError
from forum.core.pagination import page_number
from forum.extensions import db


@bp.before_request
def _admins_only() -> None:
    if request.endpoint and request.endpoint.startswith("alerts.admin_"):
        require_role(current_user, Role.ADMIN)


def _allow_private() -> bool:
    return bool(current_app.config["WEBHOOK_ALLOW_PRIVATE"])


@bp.get("/admin/alerts")
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
        form=ActionForm(),
        statuses=list(OutboxStatus),
    )


@bp.get("/admin/alerts/messages/<id:message_id>")
def admin_message(message_id: int) -> ResponseReturnValue:
    message = services.message_or_404(message_id)
    return render_template("alerts/admin_message.html", message=message, form=ActionForm())


@bp.post("/admin/alerts/messages/<id:message_id>/retry")
def admin_message_retry(message_id: int) -> ResponseReturnValue:
    if not ActionForm().validate_on_submit():
        abort(400)
    message = services.message_or_404(message_id)
    services.requeue(message, actor=current_user)
    db.session.commit()
    flash(f"Message {message.id} is queued again; the worker sends it on its next turn.", "success")
    return redirect(url_for("alerts.admin_outbox"))


@bp.get("/admin/alerts/mail")
def admin_mail() -> ResponseReturnValue:
    return render_template(
        "alerts/admin_mail.html",
        mails=mailbox.list_mail(current_app.instance_path),
        mail_server=current_app.config.get("MAIL_SERVER"),
    )


@bp.get("/admin/alerts/mail/<name>")
def admin_mail_view(name: str) -> ResponseReturnValue:
    return render_template(
        "alerts/admin_mail_view.html", mail=mailbox.read_mail(current_app.instance_path, name)
    )


@bp.get("/admin/alerts/webhooks")
def admin_webhooks() -> ResponseReturnValue:
    return render_template("alerts/admin_webhooks.html", endpoints=endpoints.list_endpoints())


@bp.route("/admin/alerts/webhooks/new", methods=["GET", "POST"])
def admin_webhook_new() -> ResponseReturnValue:
    form = WebhookEndpointForm()
    status = 200
    if form.validate_on_submit():
        try:
            endpoint = endpoints.create_endpoint(
                current_user,
                name=form.name.data or "",
                url=form.url.data or "",
                format=form.format.data or "",
                allow_private=_allow_private(),
            )
        except ForumError as exc:
            db.session.rollback()
            _show_errors(form, exc)
            status = exc.status
        else:
            db.session.commit()
            flash(
                "Endpoint added. Give its signing secret to whoever runs the receiver.", "success"
            )
            return redirect(url_for("alerts.admin_webhook_edit", endpoint_id=endpoint.id))
    elif request.method == "POST":
        status = 400
    return render_template("alerts/admin_webhook_form.html", form=form, endpoint=None), status


@bp.route("/admin/alerts/webhooks/<id:endpoint_id>", methods=["GET", "POST"])
def admin_webhook_edit(endpoint_id: int) -> ResponseReturnValue:
    endpoint = endpoints.endpoint_or_404(endpoint_id)
    form = WebhookEndpointForm(obj=endpoint)
    status = 200
    if form.validate_on_submit():
        try:
            endpoints.update_endpoint(
                current_user,
                endpoint,
                name=form.name.data or "",
                url=form.url.data or "",
                format=form.format.data or "",
                is_active=bool(form.is_active.data),
                allow_private=_allow_private(),
            )
        except ForumError as exc:
            db.session.rollback()
            _show_errors(form, exc)
            status = exc.status
        else:
            db.session.commit()
            flash("Endpoint saved.", "success")
            return redirect(url_for("alerts.admin_webhook_edit", endpoint_id=endpoint.id))
    elif request.method == "POST":
        status = 400
    return render_template(
        "alerts/admin_webhook_form.html", form=form, endpoint=endpoint, action_form=ActionForm()
    ), status


@bp.post("/admin/alerts/webhooks/<id:endpoint_id>/rotate")
def admin_webhook_rotate(endpoint_id: int) -> ResponseReturnValue:
    if not ActionForm().validate_on_submit():
        abort(400)
    endpoint = endpoints.endpoint_or_404(endpoint_id)
    endpoints.rotate_secret(current_user, endpoint)
    db.session.commit()
    flash(
        "New signing secret made. Update the receiver: the old one no longer verifies.", "success"
    )
    return redirect(url_for("alerts.admin_webhook_edit", endpoint_id=endpoint.id))


@bp.post("/admin/alerts/webhooks/<id:endpoint_id>/test")
def admin_webhook_test(endpoint_id: int) -> ResponseReturnValue:
    if not ActionForm().validate_on_submit():
        abort(400)
    endpoint = endpoints.endpoint_or_404(endpoint_id)
    message = endpoints.send_test(current_user, endpoint)
    db.session.commit()
    flash(f"Test alert queued as message {message.id}.", "success")
    return redirect(url_for("alerts.admin_webhook_edit", endpoint_id=endpoint.id))


def _show_errors(form: WebhookEndpointForm, error: ForumError) -> None:
    for name, message in error.fields.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors or []), message]
        else:
            flash(message, "error")
    if not error.fields:
        flash(error.message, "error")
