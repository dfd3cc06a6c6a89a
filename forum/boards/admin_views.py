"""Admin pages for boards: create, edit, set moderators."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from wtforms.fields.choices import SelectChoice

from forum.accounts import services as account_services
from forum.accounts.models import Department, User
from forum.accounts.permissions import admin_required
from forum.boards import bp, forms, services
from forum.boards.models import Board
from forum.boards.views import me
from forum.core.errors import Invalid
from forum.core.forms import submit
from forum.extensions import db


def _board_form(board: Board | None = None) -> forms.BoardForm:
    form = forms.BoardForm(obj=board) if board is not None else forms.BoardForm()
    form.department.choices = [SelectChoice("", "No department")] + [
        SelectChoice(d.slug, d.name) for d in account_services.list_departments()
    ]
    form.moderators.choices = [
        SelectChoice(str(u.id), f"{u.display_name} ({u.email})")
        for u in account_services.list_users(include_inactive=False)
    ]
    if board is not None and request.method == "GET":
        form.department.data = board.department.slug if board.department else ""
        form.moderators.data = sorted(board.moderator_ids)
    return form


def _department(form: forms.BoardForm) -> Department | None:
    if not form.department.data:
        return None
    department = account_services.department_by_slug(form.department.data)
    if department is None:
        raise Invalid(fields={"department": "Unknown department."})
    return department


def _moderators(form: forms.BoardForm) -> list[User]:
    ids = form.moderators.data or []
    return [u for u in (db.session.get(User, i) for i in ids) if u is not None]


@bp.get("/admin/boards")
@admin_required
def admin_boards() -> ResponseReturnValue:
    return render_template("boards/admin_boards.html", boards=services.all_boards())


def _save_board(board: Board | None) -> ResponseReturnValue:
    """Create a board (`board` None) or save one: the board, then its moderators, at once."""
    form = _board_form(board)

    def save() -> Board:
        fields: dict[str, Any] = {
            "slug": form.slug.data or "",
            "name": form.name.data or "",
            "description": form.description.data or "",
            "visibility": form.visibility.data or "",
            "department": _department(form),
            "position": form.position.data or 0,
        }
        if board is None:
            saved = services.create_board(me(), **fields)
        else:
            services.update_board(me(), board, **fields)
            saved = board
        services.set_moderators(me(), saved, _moderators(form))
        return saved

    verb = "created" if board is None else "saved"
    outcome = submit(form, save, success=lambda saved: f"Board {saved.name} {verb}.")
    if outcome.saved:
        return redirect(url_for("boards.admin_boards"))
    return render_template("boards/admin_board_edit.html", form=form, board=board), outcome.status


@bp.route("/admin/boards/new", methods=["GET", "POST"])
@admin_required
def admin_board_new() -> ResponseReturnValue:
    return _save_board(None)


@bp.route("/admin/boards/<id:board_id>", methods=["GET", "POST"])
@admin_required
def admin_board_edit(board_id: int) -> ResponseReturnValue:
    return _save_board(db.get_or_404(Board, board_id))
