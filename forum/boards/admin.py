"""Admin pages for boards: create, edit, set moderators."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from wtforms.fields.choices import SelectChoice

from forum.accounts import services as account_services
from forum.accounts.models import Department, Role, User
from forum.accounts.permissions import require_role
from forum.boards import forms, services
from forum.boards.models import Board
from forum.boards.views import apply_errors, bp, me
from forum.core.errors import ForumError, Invalid
from forum.extensions import db


@bp.before_request
def _admins_only() -> None:
    if request.endpoint and request.endpoint.startswith("boards.admin_"):
        require_role(me(), Role.ADMIN)


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
def admin_boards() -> ResponseReturnValue:
    return render_template("boards/admin_boards.html", boards=services.all_boards())


@bp.route("/admin/boards/new", methods=["GET", "POST"])
def admin_board_new() -> ResponseReturnValue:
    form = _board_form()
    status = 200
    if form.validate_on_submit():
        try:
            board = services.create_board(
                me(),
                slug=form.slug.data or "",
                name=form.name.data or "",
                description=form.description.data or "",
                visibility=form.visibility.data or "",
                department=_department(form),
                position=form.position.data or 0,
            )
            services.set_moderators(me(), board, _moderators(form))
        except ForumError as exc:
            db.session.rollback()
            apply_errors(form, exc)
            status = exc.status
        else:
            db.session.commit()
            flash(f"Board {board.name} created.", "success")
            return redirect(url_for("boards.admin_boards"))
    elif request.method == "POST":
        status = 400
    return render_template("boards/admin_board_edit.html", form=form, board=None), status


@bp.route("/admin/boards/<id:board_id>", methods=["GET", "POST"])
def admin_board_edit(board_id: int) -> ResponseReturnValue:
    board = db.get_or_404(Board, board_id)
    form = _board_form(board)
    status = 200
    if form.validate_on_submit():
        try:
            services.update_board(
                me(),
                board,
                slug=form.slug.data or "",
                name=form.name.data or "",
                description=form.description.data or "",
                visibility=form.visibility.data or "",
                department=_department(form),
                position=form.position.data or 0,
            )
            services.set_moderators(me(), board, _moderators(form))
        except ForumError as exc:
            db.session.rollback()
            apply_errors(form, exc)
            status = exc.status
        else:
            db.session.commit()
            flash(f"Board {board.name} saved.", "success")
            return redirect(url_for("boards.admin_boards"))
    elif request.method == "POST":
        status = 400
    return render_template("boards/admin_board_edit.html", form=form, board=board), status
