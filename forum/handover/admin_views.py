"""Admin pages for hand-overs: the open ones, and one person's items to pass on."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from forum.accounts import services as account_services
from forum.accounts.permissions import admin_required
from forum.core.errors import Invalid
from forum.core.forms import require_action, require_valid
from forum.extensions import db
from forum.handover import bp, forms, services
from forum.handover.models import Handover


def _people(handover: Handover) -> list[tuple[str, str]]:
    return [("", "Choose a person")] + [
        (str(u.id), f"{u.display_name} ({u.role_enum.label})")
        for u in account_services.list_users(include_inactive=False)
        if u.id != handover.user_id
    ]


@bp.get("/admin/handovers")
@admin_required
def admin_handovers() -> ResponseReturnValue:
    handovers = services.list_open()
    return render_template(
        "handover/admin_handovers.html",
        rows=[(h, len(services.held_items(h))) for h in handovers],
    )


@bp.get("/admin/handovers/<id:handover_id>")
@admin_required
def admin_handover(handover_id: int) -> ResponseReturnValue:
    handover = services.get_handover(handover_id)
    items = services.held_items(handover)
    kinds = [kind for kind in services.ItemKind if any(i.kind == kind for i in items)]
    return render_template(
        "handover/admin_handover.html",
        handover=handover,
        items=items,
        kinds=kinds,
        people=_people(handover),
    )


@bp.post("/admin/handovers/<id:handover_id>/reassign")
@admin_required
def admin_handover_reassign(handover_id: int) -> ResponseReturnValue:
    handover = services.get_handover(handover_id)
    form = forms.ReassignForm()
    form.to_user.choices = _people(handover)
    require_valid(form)
    to_user_id = int(form.to_user.data or 0)
    if form.item_id.data is not None:
        if not form.kind.data:
            raise Invalid(fields={"kind": "Give the kind of the item."})
        item = services.reassign_item(
            current_user,
            handover,
            kind=form.kind.data,
            item_id=form.item_id.data,
            to_user_id=to_user_id,
        )
        db.session.commit()
        flash(f"{item.label} handed over.", "success")
    else:
        outcome = services.reassign_all(
            current_user, handover, to_user_id=to_user_id, kind=form.kind.data or None
        )
        db.session.commit()
        flash(f"{len(outcome.reassigned)} items handed over.", "success")
        for item, message in outcome.refused:
            flash(f"Not handed over: {item.label} ({item.kind.label.lower()}): {message}", "error")
    return redirect(url_for("handover.admin_handover", handover_id=handover.id))


@bp.post("/admin/handovers/<id:handover_id>/close")
@admin_required
def admin_handover_close(handover_id: int) -> ResponseReturnValue:
    handover = services.get_handover(handover_id)
    require_action()
    services.close_handover(current_user, handover)
    db.session.commit()
    flash(f"Hand-over of {handover.user.display_name} closed.", "success")
    return redirect(url_for("handover.admin_handovers"))
