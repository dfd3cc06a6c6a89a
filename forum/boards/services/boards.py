"""Creating and changing boards and their moderators (admins only)."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from forum.accounts.models import Department, Role, User
from forum.accounts.permissions import require_role
from forum.boards import signals
from forum.boards.models import Board, BoardModerator, BoardVisibility
from forum.core.db import utcnow
from forum.core.errors import Conflict, Invalid
from forum.extensions import db

logger = logging.getLogger(__name__)

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def board_by_slug(slug: str) -> Board | None:
    """Any board by slug, visible or not: for admin pages and checks, never for display."""
    return db.session.scalar(select(Board).where(Board.slug == slug))


def all_boards() -> list[Board]:
    """Every board with its moderators, in display order (admin pages)."""
    return list(
        db.session.scalars(
            select(Board)
            .options(
                selectinload(Board.moderator_links).joinedload(BoardModerator.user),
                selectinload(Board.department),
            )
            .order_by(Board.position, Board.name)
        )
    )


def _check(
    slug: str,
    name: str,
    description: str,
    visibility: BoardVisibility | str,
    department: Department | None,
    position: int,
    current: Board | None,
) -> tuple[str, str, str, BoardVisibility]:
    errors: dict[str, str] = {}
    slug = (slug or "").strip().lower()
    name = " ".join((name or "").split())
    description = (description or "").strip()
    if not SLUG_RE.match(slug) or len(slug) > 64:
        errors["slug"] = "Use up to 64 lower-case letters, digits and single hyphens."
    if not name:
        errors["name"] = "Enter a name."
    elif len(name) > 120:
        errors["name"] = "Use at most 120 characters."
    if len(description) > 2000:
        errors["description"] = "Use at most 2000 characters."
    try:
        parsed = BoardVisibility(visibility)
    except ValueError:
        errors["visibility"] = "Choose staff or department."
        parsed = BoardVisibility.STAFF
    if parsed == BoardVisibility.DEPARTMENT and department is None:
        errors["department"] = "A department board needs a department."
    if not -10_000 <= position <= 10_000:
        errors["position"] = "Use a number between -10000 and 10000."
    if errors:
        raise Invalid("Check the highlighted fields.", fields=errors)
    other = board_by_slug(slug)
    if other is not None and other is not current:
        raise Conflict(f"A board with the slug {slug!r} exists.", fields={"slug": "Already taken."})
    return slug, name, description, parsed


def create_board(
    actor: User,
    *,
    slug: str,
    name: str,
    description: str = "",
    visibility: BoardVisibility | str = BoardVisibility.STAFF,
    department: Department | None = None,
    position: int = 0,
    now: dt.datetime | None = None,
) -> Board:
    """Create a board. Admins only (NotPermitted); Invalid for bad fields, Conflict for a
    taken slug. A `department` board needs a department."""
    require_role(actor, Role.ADMIN)
    slug, name, description, parsed = _check(
        slug, name, description, visibility, department, position, None
    )
    board = Board(
        slug=slug,
        name=name,
        description=description,
        visibility=parsed,
        department=department,
        position=position,
        created_at=now or utcnow(),
    )
    db.session.add(board)
    db.session.flush()
    logger.info("board %s (%s) created by user %s", board.id, slug, actor.id)
    return board


def update_board(
    actor: User,
    board: Board,
    *,
    slug: str,
    name: str,
    description: str,
    visibility: BoardVisibility | str,
    department: Department | None,
    position: int,
) -> Board:
    """Change a board; sends board_visibility_changed when who-can-see-it may have changed.
    Admins only (NotPermitted); Invalid / Conflict as for create_board."""
    require_role(actor, Role.ADMIN)
    slug, name, description, parsed = _check(
        slug, name, description, visibility, department, position, board
    )
    old_visibility, old_department_id = BoardVisibility(board.visibility), board.department_id
    board.slug, board.name, board.description = slug, name, description
    board.visibility, board.department, board.position = parsed, department, position
    db.session.flush()
    if old_visibility != parsed or old_department_id != board.department_id:
        logger.info("board %s visibility changed to %s by user %s", board.id, parsed, actor.id)
        signals.board_visibility_changed.send(
            board, old_visibility=old_visibility, old_department_id=old_department_id, actor=actor
        )
    return board


def set_moderators(actor: User, board: Board, users: Iterable[User]) -> Board:
    """Replace a board's moderators. Admins only (NotPermitted). Moderators of a department
    board can see it even outside the department, so this can change visibility too."""
    require_role(actor, Role.ADMIN)
    wanted = {user.id: user for user in users}
    before = board.moderator_ids
    board.moderator_links = [link for link in board.moderator_links if link.user_id in wanted]
    for user_id, user in wanted.items():
        if user_id not in before:
            board.moderator_links.append(BoardModerator(user=user))
    db.session.flush()
    if before != set(wanted) and board.visibility == BoardVisibility.DEPARTMENT:
        signals.board_visibility_changed.send(
            board,
            old_visibility=BoardVisibility(board.visibility),
            old_department_id=board.department_id,
            actor=actor,
        )
    return board
