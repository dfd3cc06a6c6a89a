"""Forms for threads, replies, edits, moderation and board administration (shape checks only)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from forum.boards.models import (
    BODY_MAX,
    REASON_MAX,
    TITLE_MAX,
    BoardVisibility,
    PostKind,
    ReactionKind,
)
from forum.core.ids import IdField

KIND_CHOICES = [SelectChoice(kind.value, kind.label) for kind in PostKind]
BODY_HINT = (
    "Markdown: **bold**, *italic*, [links](https://…), lists, > quotes, ``` code ```, "
    "tables, and images from approved hosts (others show as links). Mention colleagues "
    "with @name."
)


class ThreadForm(FlaskForm):
    kind = SelectField(
        "What kind of post is this?", choices=KIND_CHOICES, validators=[InputRequired()]
    )
    title = StringField(
        "Title", validators=[DataRequired(message="Enter a title."), Length(max=TITLE_MAX)]
    )
    body = TextAreaField(
        "What happened?",
        validators=[DataRequired(message="Write something first."), Length(max=BODY_MAX)],
    )
    tags = StringField("Tags (comma-separated, optional)", validators=[Optional(), Length(max=400)])


class ReplyForm(FlaskForm):
    body = TextAreaField(
        "Your reply",
        validators=[DataRequired(message="Write something first."), Length(max=BODY_MAX)],
    )
    reply_to = IdField("Quoted post", hidden=True, validators=[Optional()])


class EditForm(FlaskForm):
    """Title, kind and tags are only shown (and only used) for a thread's opening post."""

    title = StringField("Title", validators=[Optional(), Length(max=TITLE_MAX)])
    kind = SelectField("Kind", choices=KIND_CHOICES, validators=[Optional()])
    tags = StringField("Tags (comma-separated)", validators=[Optional(), Length(max=400)])
    body = TextAreaField(
        "Text", validators=[DataRequired(message="Write something first."), Length(max=BODY_MAX)]
    )


class ReasonForm(FlaskForm):
    reason = StringField(
        "Reason", validators=[DataRequired(message="Give a reason."), Length(max=REASON_MAX)]
    )


class MoveForm(FlaskForm):
    board = SelectField("Move to board", validators=[InputRequired()])


class KindForm(FlaskForm):
    kind = SelectField("Kind", choices=[SelectChoice(k.value, k.label) for k in PostKind])


class MergeForm(FlaskForm):
    into = StringField(
        "Merge into thread",
        validators=[InputRequired(), Length(max=500)],
        description="The other thread's address (…/t/123-its-title) or its number.",
    )


class SplitForm(FlaskForm):
    posts = SelectMultipleField(
        "Replies to move",
        coerce=int,
        validators=[InputRequired(message="Tick at least one reply to move.")],
    )
    title = StringField(
        "Title of the new thread", validators=[InputRequired(), Length(max=TITLE_MAX)]
    )
    kind = SelectField("Kind", choices=[SelectChoice(k.value, k.label) for k in PostKind])


class ReactionForm(FlaskForm):
    kind = SelectField("Reaction", choices=[SelectChoice(k.value, k.label) for k in ReactionKind])


class SolutionForm(FlaskForm):
    post_id = IdField("Reply", validators=[Optional()])
    solution_thread_id = SelectField("Or a fix thread", validators=[Optional()])


class FlagResolveForm(FlaskForm):
    action = SelectField(
        "Action", choices=[SelectChoice("dismiss", "Dismiss"), SelectChoice("resolve", "Resolved")]
    )


class BoardForm(FlaskForm):
    slug = StringField(
        "Slug (used in the address /b/…)",
        validators=[
            DataRequired(),
            Length(max=64),
            Regexp(
                r"^[a-z0-9]+(?:-[a-z0-9]+)*$", message="Use lower-case letters, digits and hyphens."
            ),
        ],
    )
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=2000)])
    visibility = SelectField(
        "Who can see it",
        choices=[
            SelectChoice(BoardVisibility.STAFF.value, "All staff"),
            SelectChoice(
                BoardVisibility.DEPARTMENT.value,
                "One department (plus seniors, admins, moderators)",
            ),
        ],
    )
    department = SelectField("Department", validators=[Optional()])
    position = IntegerField(
        "Position (lower comes first)",
        default=0,
        validators=[Optional(), NumberRange(-10_000, 10_000)],
    )
    moderators = SelectMultipleField("Moderators", coerce=int, validators=[Optional()])
