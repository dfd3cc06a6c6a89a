"""One seeded world for the authorization matrix: a person of every role, objects to act on.

Everyone acting sits in the *home* department. For each cell of the matrix the objects a
route names are made fresh, owned by

- `own`: the person acting (for the anonymous visitor, who owns nothing: the peer),
- `other`: a member of the same department (the peer),
- `other_dept`: a member of another department (the stranger), on that department's board,

so one cell's request (a delete, a lock, a resolve) never changes what another cell sees.
Objects that only admins handle (webhooks, policies, outbox messages...) have one variant.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.routing import Rule

from forum.accounts import services as account_services
from forum.accounts.models import Department, Role, User
from forum.accounts.services import sessions
from forum.alerts import services as alert_services
from forum.alerts.models import OutboxMessage, WebhookEndpoint
from forum.boards import services as board_services
from forum.boards.feeds import feed_key
from forum.boards.models import Board, BoardVisibility, Thread
from forum.core.db import utcnow
from forum.core.mail import Email, mail_dir, queue_email
from forum.escalations import services as escalations
from forum.escalations.models import Escalation, Urgency
from forum.escalations.services import policies as escalation_policies
from forum.extensions import db
from forum.handover import services as handovers
from forum.handover.models import HandoverReason
from forum.insights import services as insights
from forum.meetups import services as meetups
from forum.meetups.models import Meetup
from forum.people.models import Skill, SkillStatus
from forum.registry import services as registry
from forum.registry.models import SocialProfile
from forum.search import indexing
from forum.uploads import services as uploads
from tests.uploads.images import png

PASSWORD = "correct horse battery"
ROLES = ("anonymous", "member", "enthusiast", "senior", "admin", "deactivated")
VARIANTS = ("own", "other", "other_dept")
# Route arguments whose object has an owner or a department: these cells come in three variants.
OWNED_ARGUMENTS = {
    "thread_id",
    "post_id",
    "escalation_id",
    "profile_id",
    "notification_id",
    "session_id",
    "token_id",
    "user_id",
    "flag_id",
    "department_id",
    "board_id",
    "handle",
    "slug",
    "tag",
    "meetup_id",
    "upload_id",
}
_numbers = itertools.count(1)
KNOWN_PROFILE_URL = "https://x.com/matrix_known"


def variants_of(rule: Rule) -> tuple[str, ...]:
    return VARIANTS if set(rule.arguments) & OWNED_ARGUMENTS else ("any",)


@dataclass
class Actor:
    role: str
    user: User | None
    page: FlaskClient
    api_token: str | None

    def api_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_token}"} if self.api_token else {}


@dataclass
class World:
    app: Flask
    home: Department
    away: Department
    home_board: Board
    away_board: Board
    staff_board: Board
    peer: User
    stranger: User
    admin: User
    writer: User  # writes the posts that others flag (nobody flags their own)
    actors: dict[str, Actor] = field(default_factory=dict)
    staff_thread_id: int = 0  # a thread everyone may see and link
    _shared: dict[Any, dict[str, Any]] = field(default_factory=dict)
    message_id: int = 0
    strategy_number: int = 0
    mail_name: str = ""

    # --- who owns what in a cell ------------------------------------------------------------

    def owner(self, role: str, variant: str) -> User:
        if variant == "other":
            return self.peer
        if variant == "other_dept":
            return self.stranger
        user = self.actors[role].user
        # The anonymous visitor owns nothing; the deactivated person can no longer post.
        return user if user is not None and role != "deactivated" else self.peer

    def board_for(self, variant: str) -> Board:
        return self.away_board if variant == "other_dept" else self.home_board

    # --- the objects a route names, made fresh for each cell ---------------------------------

    def arguments(self, rule: Rule, method: str, role: str, variant: str) -> dict[str, Any]:
        """Values for every argument of `rule`, for the person playing `role`. A GET changes
        nothing, and neither does a request the gate refuses to the signed-out, so those share
        their objects; anything else gets fresh ones."""
        if method != "GET" and role not in ("anonymous", "deactivated"):
            return self._fresh(rule, role, variant)
        key = (rule.endpoint, tuple(sorted(rule.arguments)), role, variant)
        if key not in self._shared:
            self._shared[key] = self._fresh(rule, role, variant)
        return self._shared[key]

    def _fresh(self, rule: Rule, role: str, variant: str) -> dict[str, Any]:
        owner = self.owner(role, variant)
        board = self.board_for(variant)
        names = set(rule.arguments)
        values: dict[str, Any] = {}
        thread: Thread | None = None
        if names & {"thread_id", "post_id", "escalation_id", "flag_id"} or (
            "profile_id" in names and "thread_id" in names
        ):
            thread = self._thread(board, owner)
        if "thread_id" in names and thread is not None:
            values["thread_id"] = thread.id
            if "slug" in names:
                values["slug"] = thread.slug
        if "post_id" in names and thread is not None:
            post = board_services.add_post(thread, author=owner, body="A reply.")
            if rule.endpoint.endswith("post_restore"):
                board_services.delete_post(post, actor=owner)
            values["post_id"] = post.id
        if "escalation_id" in names and thread is not None:
            values["escalation_id"] = self._escalation(thread, owner).id
        if "flag_id" in names and thread is not None:
            values["flag_id"] = self._flag(thread, owner).id
        if "profile_id" in names:
            values["profile_id"] = self._profile(owner, board.department).id
            if thread is not None:
                registry.link_thread(
                    db.session.get(SocialProfile, values["profile_id"]), thread.id, owner
                )
        if "badge_key" in names:
            values["badge_key"] = self._profile(owner, board.department).badge_key
        if "notification_id" in names:
            values["notification_id"] = self._notification(owner).id
        if "session_id" in names:
            values["session_id"] = sessions.start(
                owner, remember=False, lifetime=dt.timedelta(days=1)
            ).id
        if "token_id" in names:
            values["token_id"] = account_services.create_api_token(owner, "matrix")[0].id
        if "user_id" in names:
            values["user_id"] = owner.id
            if rule.endpoint.startswith("api.handover_"):
                handovers.open_handover(owner, actor=self.admin, reason=HandoverReason.DEACTIVATED)
        if "handover_id" in names:
            leaver = _user(Role.MEMBER, self.home, f"leaver{next(_numbers)}")
            values["handover_id"] = handovers.open_handover(
                leaver, actor=self.admin, reason=HandoverReason.DEACTIVATED
            ).id
        if "handle" in names:
            values["handle"] = owner.handle
        if "skill_id" in names:
            values["skill_id"] = self._skill(rule.endpoint).id
        if "key" in names:
            # The actor's own key (the anonymous visitor holds the peer's link), so another
            # person's id with it is a key that does not match.
            values["key"] = feed_key(self.actors[role].user or self.peer)
        if "department_id" in names:
            values["department_id"] = (self.away if variant == "other_dept" else self.home).id
        if "board_id" in names:
            values["board_id"] = board.id
        if "slug" in names and "slug" not in values:
            values["slug"] = board.slug if variant != "other" else self.staff_board.slug
        if "tag" in names:
            values["tag"] = f"matrix-{variant.replace('_', '-')}"
            self._thread(board, owner, tags=[values["tag"]])
        if "meetup_id" in names:
            values["meetup_id"] = self._meetup(board, owner).id
        if "endpoint_id" in names:
            values["endpoint_id"] = self._endpoint().id
        if "policy_id" in names:
            policy = escalation_policies.save_policy(
                self.admin, name=f"Matrix policy {next(_numbers)}"
            )
            values["policy_id"] = policy.id
            values["level_id"] = escalation_policies.add_level(
                self.admin, policy, users=[self.admin]
            ).id
        if "message_id" in names:
            values["message_id"] = self.message_id
        if "number" in names:
            values["number"] = self.strategy_number
        if "name" in names:
            values["name"] = (
                "posts_by_kind" if rule.endpoint.startswith("insights.") else self.mail_name
            )
        if "token" in names:
            values["token"] = self._account_token(rule.endpoint)
        if "upload_id" in names:
            # The owner's image, shown in the owner's thread on the variant's board.
            upload = uploads.create_upload(owner, filename="matrix.png", data=png())
            self._thread(board, owner, body=uploads.markdown_for(upload, "Matrix chart"))
            values["upload_id"], values["name"] = upload.id, upload.name
        if "filename" in names:
            values["filename"] = "css/forum.css"
        # The search index catches up on the next request's commit: draining Whoosh after
        # every object made here would double the matrix's run time.
        db.session.info.pop(indexing._PENDING_KEY, None)
        db.session.commit()
        return values

    def _meetup(self, board: Board, organizer: User) -> Meetup:
        starts = utcnow() + dt.timedelta(days=3)
        return meetups.create_meetup(
            board,
            organizer=organizer,
            title=f"Matrix meet-up {next(_numbers)}",
            description="",
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=1),
            place="Room 1",
        )

    def _skill(self, endpoint: str) -> Skill:
        """A fresh list entry in the state the route acts on (a suggestion to decide, a retired
        entry to restore, an active one otherwise)."""
        status = SkillStatus.ACTIVE
        if endpoint.endswith(("_approve", "_reject")):
            status = SkillStatus.SUGGESTED
        elif endpoint.endswith("_restore"):
            status = SkillStatus.RETIRED
        skill = Skill(name=f"Matrix skill {next(_numbers)}", status=status)
        db.session.add(skill)
        db.session.flush()
        return skill

    def _endpoint(self) -> WebhookEndpoint:
        endpoint = WebhookEndpoint(
            name=f"Matrix hook {next(_numbers)}",
            url="http://127.0.0.1:9/hook",
            format="generic",
            secret="matrix-secret",
        )
        db.session.add(endpoint)
        db.session.flush()
        return endpoint

    def _thread(
        self, board: Board, author: User, tags: list[str] | None = None, body: str = ""
    ) -> Thread:
        return board_services.create_thread(
            board,
            author=author,
            kind="question",
            title=f"Matrix thread {next(_numbers)}",
            body=body or "What happened and what we tried.",
            tags=tags or [],
        )

    def _escalation(self, thread: Thread, reporter: User) -> Escalation:
        escalation, _ = escalations.escalate(
            thread, actor=reporter, reason="Needs a senior.", urgency=Urgency.URGENT
        )
        return escalation

    def _flag(self, thread: Thread, reporter: User) -> Any:
        post = board_services.add_post(thread, author=self.writer, body="A reply to flag.")
        return board_services.flag_post(post, reporter=reporter, reason="Off topic")

    def _profile(
        self, owner: User, department: Department | None, url: str | None = None
    ) -> SocialProfile:
        n = next(_numbers)
        return registry.register_profile(
            self.admin,
            {
                "platform": "x",
                "url": url or f"https://x.com/matrix_{n}",
                "display_name": f"Matrix account {n}",
                "department": department,
                "owner": owner,
                "backup_owner": None,
            },
        )

    def _notification(self, user: User) -> Any:
        n = next(_numbers)
        return alert_services.add_notification(
            user,
            kind="reply",
            title=f"Reply {n}",
            body="Someone replied.",
            url="/",
            dedupe_key=f"matrix:{n}",
        )

    def _account_token(self, endpoint: str) -> str:
        if endpoint == "accounts.accept_invitation":
            _invitation, secret = account_services.invite(
                f"invitee{next(_numbers)}@example.org",
                role=Role.MEMBER,
                department=self.home,
                invited_by=self.admin,
            )
            return secret
        return "not-a-valid-reset-token"


def _user(role: Role, department: Department, name: str) -> User:
    return account_services.create_user(
        f"{name}@example.org",
        display_name=name.title(),
        role=role,
        department=department,
        password=PASSWORD,
    )


def build_world(app: Flask) -> World:
    """Seed the matrix's people, boards, admin objects and signed-in clients."""
    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_globals)
    home = Department(slug="matrix-home", name="Matrix home")
    away = Department(slug="matrix-away", name="Matrix away")
    db.session.add_all([home, away])
    db.session.flush()
    admin = _user(Role.ADMIN, home, "matrix-admin")
    people = {
        "member": _user(Role.MEMBER, home, "matrix-member"),
        "enthusiast": _user(Role.ENTHUSIAST, home, "matrix-enthusiast"),
        "senior": _user(Role.SENIOR, home, "matrix-senior"),
        "admin": admin,
        "deactivated": _user(Role.MEMBER, home, "matrix-deactivated"),
    }

    def board(slug: str, department: Department | None) -> Board:
        return board_services.create_board(
            admin,
            slug=slug,
            name=slug.title(),
            description="For the authorization matrix.",
            visibility=BoardVisibility.DEPARTMENT if department else BoardVisibility.STAFF,
            department=department,
            position=100,
        )

    world = World(
        app=app,
        home=home,
        away=away,
        home_board=board("matrix-home-board", home),
        away_board=board("matrix-away-board", away),
        staff_board=board("matrix-staff-board", None),
        peer=_user(Role.MEMBER, home, "matrix-peer"),
        stranger=_user(Role.MEMBER, away, "matrix-stranger"),
        admin=admin,
        writer=_user(Role.SENIOR, away, "matrix-writer"),
    )
    world.staff_thread_id = world._thread(world.staff_board, world.peer).id
    world._profile(world.peer, home, url=KNOWN_PROFILE_URL)
    queue_email(Email("a@example.org", "Matrix", "Queued.", dedupe_key="matrix", kind="test"))
    db.session.flush()
    world.message_id = db.session.scalars(select(OutboxMessage.id)).one()
    goal = insights.GoalInput(
        "An enthusiast in every department",
        "departments_without_enthusiast",
        "at_most",
        0,
        dt.date.today() + dt.timedelta(days=90),
    )
    world.strategy_number = insights.save_strategy(admin, vision="Matrix.", goals=[goal]).number
    world.mail_name = _write_mail(app)
    db.session.commit()

    tokens = {
        role: account_services.create_api_token(user, "matrix")[1] for role, user in people.items()
    }
    db.session.commit()
    world.actors["anonymous"] = Actor("anonymous", None, app.test_client(), None)
    for role, user in people.items():
        client = app.test_client()
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, role
        world.actors[role] = Actor(role, user, client, tokens[role])
    # Signed in and holding a token, then deactivated: both must be dead from now on.
    account_services.admin_update_user(admin, people["deactivated"], is_active=False)
    db.session.commit()
    return world


def _fresh_globals() -> None:
    # The matrix holds one app context for its whole run, and a request reuses an active
    # context: clear `g`, or Flask-Login's cached user would pass from one client to the next.
    for key in list(vars(g)):
        delattr(g, key)


def _write_mail(app: Flask) -> str:
    message = EmailMessage()
    message["Subject"], message["To"], message["From"] = "Matrix", "a@example.org", "f@example.org"
    message.set_content("A message on disk.")
    folder = mail_dir(app.instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "matrix.eml").write_bytes(message.as_bytes())
    return "matrix.eml"


def refresh_actor(world: World, role: str) -> None:
    """Sign `role` in again after a cell that may have ended its sign-in (sign-out...)."""
    actor = world.actors[role]
    if actor.user is None or role == "deactivated":
        return
    user = db.session.get(User, actor.user.id)
    assert user is not None
    if not user.is_active or user.role != role:
        user.is_active, user.role = True, Role(role)
        db.session.commit()
    client = world.app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, role
    actor.page = client
    actor.api_token = account_services.create_api_token(user, "matrix")[1]
    db.session.commit()


__all__ = ["ROLES", "VARIANTS", "Actor", "World", "build_world", "refresh_actor", "variants_of"]
